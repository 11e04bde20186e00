"""course_utils — the helper package behind the Sigmoid to GPT notebooks.

Every notebook starts with::

    import course_utils as cu
    device = cu.setup()

Two kinds of module, told apart by name:

* **concept modules** hold what the chapters build and later chapters reuse, named by concept,
  and read like a small library: ``tensors``, ``activations``, ``linalg``, ``neuron``, ``mlp``,
  ``landscapes``, ``optim``, ``autograd`` (the engine), ``backprop`` (gradient checks and
  networks built on the engine), ``softmax``,
  ``mnist_mlp``, ``torch_mlp``, and ``gpt`` (the GPT engine: model, training, sampling,
  checkpoints, command line);
* **chapter modules** hold what one notebook alone uses, named like the notebook:
  ``checks.ch06_backprop`` (its exercise checks) and ``widgets.ch06_backprop`` (its widgets,
  the compute functions behind them and its one-off demos).

Infrastructure has one module per job: ``env`` (setup), ``data`` (data sets), ``plotting``,
``timing``, ``compare``, ``validate`` (input checks), ``checks.core`` and ``widgets.core``
(the exercise-check and widget patterns), ``student`` (student versions), ``execute``
(running and saving notebooks), ``course_map`` (every chapter, and the modules it uses:
``course_map.chapter(6).modules``), ``progress`` (the exercises a learner has passed:
``cu.progress()``) and ``nbgrader`` (the export to an nbgrader course for instructors).
"""

from __future__ import annotations

from . import progress  # a module you can call: cu.progress() shows your progress
from .data import load_mnist, load_text
from .env import pick_device, seed_everything, setup
from .timing import Timing, time_call

__version__ = "0.1.0"

__all__ = [
    "Timing",
    "__version__",
    "load_mnist",
    "load_text",
    "pick_device",
    "progress",
    "seed_everything",
    "setup",
    "time_call",
]
