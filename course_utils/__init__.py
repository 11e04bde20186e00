"""course_utils — the helper package behind the Sigmoid to GPT notebooks.

Every notebook starts with::

    import course_utils as cu
    device = cu.setup()

Modules are organised by concept: ``env`` (setup), ``data`` (data sets), ``plotting``,
``widgets``, ``checks`` (exercise checks), ``student`` (student versions), ``execute``
(running and saving notebooks), and one module per thing the chapters build:

* ``tensors`` (00), ``activations`` (01), ``linalg`` (02), ``neuron`` (03), ``mlp`` (04);
* ``landscapes`` and ``optim`` (05: loss surfaces, optimisers, schedules);
* ``autograd``, ``backprop`` and ``graph_plot`` (06: the scalar engine, gradient checks, graphs);
* ``softmax``, ``mnist_mlp`` and ``torch_mlp`` (07: the digit classifier in numpy and torch);
* ``gpt`` (12: the GPT engine — model, training, sampling, checkpoints, command line).
"""

from __future__ import annotations

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
    "seed_everything",
    "setup",
    "time_call",
]
