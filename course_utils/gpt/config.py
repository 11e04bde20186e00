"""The shape of a GPT, in one dataclass that checks itself.

A :class:`GPTConfig` says everything needed to build the network (and nothing about how to
train it): how many tokens the vocabulary has, how far back the model can look (the block
size), and how wide and deep it is. Mistakes such as an embedding size that the heads cannot
share evenly are caught here, with a sentence that says how to fix them, instead of as a shape
error deep inside ``forward``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any


@dataclass
class GPTConfig:
    """Hyper-parameters that fix a GPT's architecture (and so the shapes of its weights).

    Args:
        vocab_size: number of distinct tokens (65 characters for Tiny Shakespeare).
        block_size: the longest context the model sees at once (also the number of learned
            position embeddings).
        n_layer: number of transformer blocks stacked on top of each other.
        n_head: attention heads per block; each head works in ``n_embd // n_head`` dimensions.
        n_kv_head: key/value heads per block, shared by groups of ``n_head // n_kv_head``
            query heads: ``None`` (or ``n_head``) is ordinary multi-head attention, ``1`` is
            multi-query attention, anything between is grouped-query attention. Fewer
            key/value heads mean fewer weights and a proportionally smaller KV cache.
        n_embd: the model dimension: the width of every token vector in the residual stream.
        dropout: probability of zeroing an activation during training (0 turns it off).
        attn_dropout: dropout on the attention weights alone; ``None`` means the same as
            ``dropout``. ``0.0`` keeps dropout on the embeddings and the residual branches but
            not inside attention, which lets the fused attention kernel run on a CPU: with
            dropout inside, PyTorch falls back to the unfused computation, about twice as slow
            to train per step at a block of 512.
        bias: whether linear layers and layer norms have a bias term.
        fused_attention: ``True`` uses :func:`torch.nn.functional.scaled_dot_product_attention`
            (fast); ``False`` spells attention out (scores, −∞ mask, softmax, weighted values)
            so it can be read and compared. Both compute the same function; this flag does not
            change the weights, so a checkpoint loads into either.
    """

    vocab_size: int = 65
    block_size: int = 256
    n_layer: int = 4
    n_head: int = 4
    n_embd: int = 128
    n_kv_head: int | None = None
    dropout: float = 0.0
    attn_dropout: float | None = None
    bias: bool = True
    fused_attention: bool = True

    def __post_init__(self) -> None:
        for name in ("vocab_size", "block_size", "n_layer", "n_head", "n_embd"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"GPTConfig.{name} must be a whole number, got {value!r}")
            if value < 1:
                raise ValueError(f"GPTConfig.{name} must be at least 1, got {value}")
        if self.n_embd % self.n_head != 0:
            divisors = [h for h in range(1, self.n_embd + 1) if self.n_embd % h == 0]
            nearby = [h for h in divisors if h <= 2 * self.n_head][-3:]
            raise ValueError(
                f"n_embd={self.n_embd} cannot be split evenly across n_head={self.n_head} heads "
                f"({self.n_embd} / {self.n_head} = {self.n_embd / self.n_head:.2f}); each head "
                f"needs a whole number of dimensions. Try n_head in {nearby} or change n_embd "
                f"to a multiple of {self.n_head} such as {self.n_head * max(1, round(self.n_embd / self.n_head))}."
            )
        if self.n_kv_head is not None:
            self._check_kv_heads()
        for name in ("dropout", "attn_dropout"):
            value = getattr(self, name)
            if name == "attn_dropout" and value is None:
                continue  # the same as dropout
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise TypeError(f"GPTConfig.{name} must be a number in [0, 1), got {value!r}")
            if not 0.0 <= value < 1.0:
                raise ValueError(f"GPTConfig.{name} must be in [0, 1), got {value}")
        for name in ("bias", "fused_attention"):
            if not isinstance(getattr(self, name), bool):
                raise TypeError(f"GPTConfig.{name} must be True or False, got {getattr(self, name)!r}")

    def _check_kv_heads(self) -> None:
        kv, heads = self.n_kv_head, self.n_head
        if isinstance(kv, bool) or not isinstance(kv, int):
            raise TypeError(f"GPTConfig.n_kv_head must be a whole number or None (None means "
                            f"n_kv_head = n_head), got {kv!r}")
        choices = [d for d in range(1, heads + 1) if heads % d == 0]
        if not 1 <= kv <= heads:
            raise ValueError(f"n_kv_head={kv} must be between 1 (multi-query attention) and "
                             f"n_head={heads} (multi-head attention): each key/value head serves "
                             f"a group of query heads. Choose one of {choices}.")
        if heads % kv != 0:
            raise ValueError(f"n_head={heads} is not divisible by n_kv_head={kv}: the query heads "
                             f"must split into equal groups, one group per key/value head "
                             f"({heads} / {kv} = {heads / kv:.2f}). Choose n_kv_head in {choices}.")

    @property
    def head_dim(self) -> int:
        """Dimensions per attention head (the model dimension shared among the heads)."""
        return self.n_embd // self.n_head

    @property
    def attention_dropout(self) -> float:
        """The dropout applied to attention weights: ``attn_dropout``, or ``dropout`` if ``None``."""
        return self.dropout if self.attn_dropout is None else self.attn_dropout

    @property
    def kv_heads(self) -> int:
        """The key/value heads actually used: ``n_kv_head``, or ``n_head`` when it is ``None``."""
        return self.n_head if self.n_kv_head is None else self.n_kv_head

    def to_dict(self) -> dict[str, Any]:
        """The fields as a plain dict (what a checkpoint stores).

        ``n_kv_head`` and ``attn_dropout`` are left out while they are ``None``, so such a
        model's dict is the same as before those fields existed (and older code still reads
        its checkpoints).
        """
        values = asdict(self)
        for name in ("n_kv_head", "attn_dropout"):
            if values[name] is None:
                del values[name]
        return values

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> GPTConfig:
        """Build a config from a saved dict; unknown keys are an error that names them."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown GPTConfig fields {unknown}; known fields are {sorted(known)}")
        return cls(**values)


# The model settings a training run may change; vocab_size always comes from the tokenizer.
MODEL_SETTINGS: tuple[str, ...] = tuple(f.name for f in fields(GPTConfig) if f.name != "vocab_size")


@dataclass
class TrainConfig:
    """Everything one training run needs: the model's shape, the data, the optimiser, the loop.

    ``model`` is the :class:`GPTConfig` to train; its ``vocab_size`` is replaced by the
    tokenizer's when training starts (the data decides the vocabulary). Named presets live in
    :mod:`.presets`; :meth:`with_settings` (and the command line, as ``--name value``) changes
    any field, model fields included: ``cfg.with_settings(n_layer=6, max_iters=500)``.
    """

    model: GPTConfig = field(default_factory=GPTConfig)
    # data
    dataset: str = "tinyshakespeare"
    text_file: str | None = None  # train on this UTF-8 file instead of `dataset`
    val_fraction: float = 0.1  # the last 10% of the text is held out for validation
    # optimisation
    batch_size: int = 32  # sequences per micro-batch (per process under torchrun)
    grad_accum_steps: int = 1  # micro-batches per optimiser step
    max_iters: int = 2000
    learning_rate: float = 1e-3
    min_lr: float = 1e-4
    warmup_iters: int = 100
    lr_decay_iters: int | None = None  # end of the cosine decay; None means max_iters
    weight_decay: float = 0.1
    beta1: float = 0.9
    beta2: float = 0.99
    grad_clip: float = 1.0  # 0 turns clipping off
    # sequence-length warm-up: the training windows grow linearly from `seq_len_start` tokens to
    # the block over the first `seq_len_warmup_iters` iterations, with more of them per step so
    # every step sees about the same number of tokens (0 iterations: whole blocks from the start)
    seq_len_warmup_iters: int = 0
    seq_len_start: int = 64
    # evaluation, logging, checkpoints
    eval_interval: int = 250
    eval_iters: int = 50
    out_dir: str = "out/gpt"
    save_checkpoint: bool = True
    resume: bool = False
    # system
    device: str | None = None  # None picks cuda, then mps, then cpu
    dtype: str = "auto"  # "auto" = bfloat16 autocast on CUDA when supported, else float32
    compile: bool = False
    num_threads: int | None = None  # CPU threads for torch (None leaves torch's default)
    seed: int = 1337

    def __post_init__(self) -> None:
        if not isinstance(self.model, GPTConfig):
            raise TypeError(f"TrainConfig.model must be a GPTConfig, got {type(self.model).__name__}; "
                            f"write TrainConfig(model=GPTConfig(n_layer=6, ...)) or "
                            f"TrainConfig().with_settings(n_layer=6)")
        positive = ("batch_size", "grad_accum_steps", "max_iters", "eval_interval", "eval_iters",
                    "seq_len_start")
        for name in positive:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a whole number of at least 1, got {value!r}")
        for name in ("warmup_iters", "seed", "seq_len_warmup_iters"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{name} must be a whole number of at least 0, got {value!r}")
        if not 0 < self.val_fraction < 1:
            raise ValueError(f"val_fraction must be between 0 and 1, got {self.val_fraction}")
        if not self.learning_rate > 0:
            raise ValueError(f"learning_rate must be positive, got {self.learning_rate}")
        if not 0 <= self.min_lr <= self.learning_rate:
            raise ValueError(f"min_lr must be between 0 and learning_rate ({self.learning_rate}), "
                             f"got {self.min_lr}")
        if self.weight_decay < 0 or self.grad_clip < 0:
            raise ValueError("weight_decay and grad_clip must be 0 or more")
        for name in ("beta1", "beta2"):
            if not 0 <= getattr(self, name) < 1:
                raise ValueError(f"{name} must be in [0, 1), got {getattr(self, name)}")
        if self.dtype not in ("auto", "float32", "bfloat16"):
            # float16 would also need a gradient scaler; bfloat16 has float32's range and does not
            raise ValueError(f"dtype must be 'auto', 'float32' or 'bfloat16', got {self.dtype!r}")
        if self.num_threads is not None and self.num_threads < 1:
            raise ValueError(f"num_threads must be at least 1, got {self.num_threads}")

    @property
    def decay_iters(self) -> int:
        """The iteration where the cosine decay reaches ``min_lr``."""
        return self.lr_decay_iters if self.lr_decay_iters is not None else self.max_iters

    def model_config(self, vocab_size: int) -> GPTConfig:
        """The :class:`GPTConfig` this run trains, for a vocabulary of ``vocab_size`` tokens."""
        return replace(self.model, vocab_size=vocab_size)

    def with_settings(self, **settings: Any) -> TrainConfig:
        """A copy with ``settings`` changed; model fields (``n_layer``, ``block_size`` ...) go
        into :attr:`model`, the others into the run: ``with_settings(block_size=64, max_iters=9)``.
        """
        run_fields = {f.name for f in fields(self)} - {"model"}
        unknown = sorted(set(settings) - run_fields - set(MODEL_SETTINGS))
        if unknown:
            hint = (" (vocab_size comes from the tokenizer, not from the settings)"
                    if "vocab_size" in unknown else "")
            raise ValueError(f"unknown training setting(s) {unknown}{hint}; settings are "
                             f"{sorted(run_fields | set(MODEL_SETTINGS))}")
        model = {k: v for k, v in settings.items() if k in MODEL_SETTINGS}
        run = {k: v for k, v in settings.items() if k in run_fields}
        return replace(self, model=replace(self.model, **model), **run)

    def to_dict(self) -> dict[str, Any]:
        """Plain data (the model as a nested dict), as saved in a checkpoint."""
        return {**asdict(self), "model": self.model.to_dict()}

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> TrainConfig:
        """Rebuild a config from :meth:`to_dict`'s output.

        Also reads the older flat form, in which the model fields stood beside the run's (as in
        checkpoints written before ``TrainConfig`` held a ``GPTConfig``, the shipped one included).
        """
        run = dict(values)
        model = dict(run.pop("model", None) or {})
        for name in [f.name for f in fields(GPTConfig)]:
            if name in run:  # the older flat form
                model[name] = run.pop(name)
        unknown = sorted(set(run) - {f.name for f in fields(cls)})
        if unknown:
            raise ValueError(f"unknown TrainConfig fields {unknown}")
        return cls(model=GPTConfig.from_dict(model), **run)
