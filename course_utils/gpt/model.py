"""A small GPT, read from the smallest part to the whole: attention, MLP, block, model.

The modules follow GPT-2: token and position embeddings, a stack of pre-norm blocks (each
``x + attention(norm(x))`` then ``x + mlp(norm(x))``), a final layer norm and an unembedding
that shares its weights with the token embedding. Chapters 10–12 build the same parts from
scratch and check them against these classes.
"""

from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from course_utils.validate import check_whole

from .config import GPTConfig


def check_token_ids(ids: torch.Tensor, vocab_size: int, what: str = "token id") -> None:
    """Raise a clear ``ValueError`` when an id in ``ids`` is not in ``0 .. vocab_size - 1``.

    Without it, the embedding lookup fails with torch's "index out of range in self" (or, on a
    GPU, an even less helpful device-side assertion).
    """
    if ids.numel() == 0 or torch.compiler.is_compiling():  # a compiled graph skips the check
        return
    lowest, highest = torch.stack(torch.aminmax(ids)).tolist()  # one pass, one read-back
    bad = highest if highest >= vocab_size else lowest if lowest < 0 else None
    if bad is not None:
        raise ValueError(f"{what} {bad} is outside the vocabulary: ids run from 0 to "
                         f"{vocab_size - 1} (vocab_size={vocab_size})")


def causal_mask(T: int, past: int = 0, device: torch.device | str | None = None) -> torch.Tensor:
    """(T, past + T) booleans: ``True`` where query i may attend to key j, i.e. j <= past + i.

    Query i sits at absolute position ``past + i`` (``past`` tokens are already in a KV cache),
    so it sees every key up to and including its own position and none of the future ones.
    """
    return torch.ones(T, past + T, dtype=torch.bool, device=device).tril(diagonal=past)


class KVCache:
    """The keys and values of every token seen so far, for one attention layer.

    During generation the tokens already written never change, so their keys and values need
    not be recomputed: each step appends one new key/value and attends over the stored ones.
    The storage is allocated once, for ``max_len`` positions. ``n_head`` is the number of
    key/value heads stored: the model's ``n_kv_head`` (fewer than its query heads under
    grouped-query attention, which is where that saves memory).
    """

    def __init__(self, batch: int, n_head: int, max_len: int, head_dim: int,
                 device: torch.device | str, dtype: torch.dtype) -> None:
        for name, value in (("batch", batch), ("n_head", n_head), ("max_len", max_len),
                            ("head_dim", head_dim)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"KVCache {name} must be a whole number of at least 1, "
                                 f"got {value!r}")
        shape = (batch, n_head, max_len, head_dim)
        self.k = torch.zeros(shape, device=device, dtype=dtype)
        self.v = torch.zeros(shape, device=device, dtype=dtype)
        self.length = 0  # positions filled so far

    @property
    def max_len(self) -> int:
        """Positions the cache has room for."""
        return self.k.size(2)

    @property
    def nbytes(self) -> int:
        """Memory held by the stored keys and values, in bytes (allocated, filled or not)."""
        return self.k.nbytes + self.v.nbytes

    def append(self, k: torch.Tensor, v: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Store the new keys/values (B, n_kv_head, T, hd); return all keys/values so far."""
        if k.shape[:2] != self.k.shape[:2] or k.size(3) != self.k.size(3) or k.shape != v.shape:
            raise ValueError(f"keys {tuple(k.shape)} and values {tuple(v.shape)} do not fit this "
                             f"cache: it stores (batch, heads, time, head_dim) = "
                             f"{tuple(self.k.shape[:2])} + (time, {self.k.size(3)})")
        start, end = self.length, self.length + k.size(2)
        if end > self.max_len:
            raise ValueError(f"KV cache is full: it has room for {self.max_len} positions, "
                             f"holds {start} and cannot take {k.size(2)} more. Start a new "
                             f"cache from the last {self.max_len} tokens or fewer (generation "
                             f"does this when the text slides past the block).")
        self.k[:, :, start:end] = k
        self.v[:, :, start:end] = v
        self.length = end
        return self.k[:, :, :end], self.v[:, :, :end]


def kv_cache_bytes(config: GPTConfig, context: int | None = None, batch: int = 1,
                   dtype: torch.dtype | str = torch.float32) -> int:
    """Bytes a KV cache needs: keys and values for ``context`` positions in every layer.

    ``2 (keys and values) × n_layer × batch × n_kv_head × context × head_dim × bytes per
    number``. Only the key/value heads are stored, so grouped-query attention shrinks the cache
    by ``n_kv_head / n_head`` (multi-query attention, one key/value head, the most). The
    default ``context`` is the block size, what :meth:`GPT.make_caches` allocates, so
    ``kv_cache_bytes(model.config)`` equals the caches' total ``nbytes`` for a float32 model.

    >>> kv_cache_bytes(GPTConfig(n_layer=4, n_head=4, n_embd=128, block_size=256))
    1048576
    >>> kv_cache_bytes(GPTConfig(n_layer=4, n_head=4, n_kv_head=1, n_embd=128, block_size=256))
    262144

    Args:
        config: the model's shape (layers, heads, key/value heads, head size).
        context: positions stored per sequence; ``None`` means ``config.block_size``.
        batch: sequences generated side by side (each has its own cache).
        dtype: the cache's number type, e.g. ``torch.float32`` (4 bytes), ``torch.bfloat16``
            or ``"bfloat16"`` (2 bytes).
    """
    if not isinstance(config, GPTConfig):
        raise TypeError(f"kv_cache_bytes: config must be a GPTConfig, got {type(config).__name__}")
    context = config.block_size if context is None else context
    context = check_whole(context, "kv_cache_bytes", "the context length context", minimum=1)
    batch = check_whole(batch, "kv_cache_bytes", "the batch size batch", minimum=1)
    if isinstance(dtype, str):
        resolved = getattr(torch, dtype, None)
        if not isinstance(resolved, torch.dtype):
            raise ValueError(f"kv_cache_bytes: unknown dtype {dtype!r}; use e.g. 'float32', "
                             f"'bfloat16', 'float16' or a torch.dtype")
        dtype = resolved
    if not isinstance(dtype, torch.dtype):
        raise TypeError(f"kv_cache_bytes: dtype must be a torch.dtype such as torch.bfloat16 or "
                        f"its name, got {dtype!r}")
    per_number = torch.empty((), dtype=dtype).element_size()
    return 2 * config.n_layer * batch * config.kv_heads * context * config.head_dim * per_number


class CausalSelfAttention(nn.Module):
    """Multi-head self-attention in which each position sees only itself and the past.

    With ``n_kv_head < n_head`` (grouped-query attention; multi-query when it is 1) keys and
    values get fewer heads than queries, and each key/value head serves ``n_head // n_kv_head``
    neighbouring query heads.
    """

    def __init__(self, config: GPTConfig) -> None:
        super().__init__()
        self.n_head, self.n_embd = config.n_head, config.n_embd
        self.n_kv_head, self.head_dim = config.kv_heads, config.head_dim
        self.n_rep = self.n_head // self.n_kv_head  # query heads per key/value head
        self.kv_dim = self.n_kv_head * self.head_dim  # width of all keys (and of all values)
        self.fused = config.fused_attention
        self.dropout = config.attention_dropout  # on the attention weights
        # queries, keys and values for all heads come out of one matrix multiplication
        self.c_attn = nn.Linear(config.n_embd, config.n_embd + 2 * self.kv_dim, bias=config.bias)
        self.c_proj = nn.Linear(config.n_embd, config.n_embd, bias=config.bias)
        self.attn_dropout = nn.Dropout(config.attention_dropout)
        self.resid_dropout = nn.Dropout(config.dropout)

    def forward(self, x: torch.Tensor, cache: KVCache | None = None) -> torch.Tensor:
        B, T, C = x.shape  # batch, time (positions), channels (n_embd)
        q, k, v = self.c_attn(x).split([self.n_embd, self.kv_dim, self.kv_dim], dim=2)
        # (B, T, C) -> (B, nh, T, hd): the heads become a batch dimension, so no loop over heads
        q = q.view(B, T, self.n_head, self.head_dim).transpose(1, 2)
        k = k.view(B, T, self.n_kv_head, self.head_dim).transpose(1, 2)  # (B, n_kv_head, T, hd)
        v = v.view(B, T, self.n_kv_head, self.head_dim).transpose(1, 2)
        past = 0
        if cache is not None:
            past = cache.length
            k, v = cache.append(k, v)
        # without a cache, is_causal=True lets the fused kernel skip the future on its own; with
        # one, the queries sit after `past` cached keys and need an explicit mask (none for T=1)
        mask = None if past == 0 or T == 1 else causal_mask(T, past, x.device)
        if self.fused:
            # grouped-query attention: enable_gqa lets each key/value head serve n_rep query heads
            y = F.scaled_dot_product_attention(
                q, k, v, attn_mask=mask, dropout_p=self.dropout if self.training else 0.0,
                is_causal=past == 0 and T > 1, enable_gqa=self.n_rep > 1)
        else:
            if self.n_rep > 1:  # grouped-query attention: copy each key/value head n_rep times
                k, v = k.repeat_interleave(self.n_rep, dim=1), v.repeat_interleave(self.n_rep, dim=1)
            y = self.explicit_attention(q, k, v, past)
        y = y.transpose(1, 2).contiguous().view(B, T, C)  # re-assemble the heads side by side
        return self.resid_dropout(self.c_proj(y))

    def explicit_attention(self, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor,
                           past: int = 0) -> torch.Tensor:
        """Attention written out: scaled scores, −∞ on the future, softmax, weighted values."""
        scores = (q @ k.transpose(-2, -1)) / math.sqrt(k.size(-1))  # (B, nh, T, past + T)
        allowed = causal_mask(q.size(2), past, q.device)
        scores = scores.masked_fill(~allowed, float("-inf"))  # exp(-inf) = 0: no weight on the future
        weights = self.attn_dropout(F.softmax(scores, dim=-1))
        return weights @ v  # (B, nh, T, hd)


class MLP(nn.Module):
    """Position-wise feed-forward network: widen 4x, GELU, project back."""

    def __init__(self, config: GPTConfig) -> None:
        super().__init__()
        self.c_fc = nn.Linear(config.n_embd, 4 * config.n_embd, bias=config.bias)
        self.gelu = nn.GELU()
        self.c_proj = nn.Linear(4 * config.n_embd, config.n_embd, bias=config.bias)
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.dropout(self.c_proj(self.gelu(self.c_fc(x))))


class Block(nn.Module):
    """One transformer block: tokens talk (attention), then each thinks alone (MLP)."""

    def __init__(self, config: GPTConfig) -> None:
        super().__init__()
        self.ln_1 = nn.LayerNorm(config.n_embd, bias=config.bias)
        self.attn = CausalSelfAttention(config)
        self.ln_2 = nn.LayerNorm(config.n_embd, bias=config.bias)
        self.mlp = MLP(config)

    def forward(self, x: torch.Tensor, cache: KVCache | None = None) -> torch.Tensor:
        x = x + self.attn(self.ln_1(x), cache)  # pre-norm: normalise the input, add to residual
        x = x + self.mlp(self.ln_2(x))
        return x


class GPT(nn.Module):
    """The whole language model: token ids in, next-token logits (and optionally loss) out."""

    def __init__(self, config: GPTConfig) -> None:
        super().__init__()
        if not isinstance(config, GPTConfig):
            raise TypeError(f"GPT needs a GPTConfig, got {type(config).__name__}")
        self.config = config
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(config.vocab_size, config.n_embd),  # token embedding
            wpe=nn.Embedding(config.block_size, config.n_embd),  # learned position embedding
            drop=nn.Dropout(config.dropout),
            h=nn.ModuleList([Block(config) for _ in range(config.n_layer)]),
            ln_f=nn.LayerNorm(config.n_embd, bias=config.bias),
        ))
        self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        self.transformer.wte.weight = self.lm_head.weight  # weight tying: unembedding = embedding
        self.apply(self._init_weights)
        for name, p in self.named_parameters():
            if name.endswith("c_proj.weight"):
                # GPT-2's scaled init: each block adds two projections to the residual stream,
                # so shrink them to keep its variance from growing with depth
                nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * config.n_layer))

    @staticmethod
    def _init_weights(module: nn.Module) -> None:
        if isinstance(module, nn.Linear):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)

    def num_params(self, include_embeddings: bool = True) -> int:
        """Number of parameters; the tied embedding/unembedding matrix is counted once.

        ``include_embeddings=False`` leaves out the token and position embeddings, the count
        that scaling laws (and nanoGPT's printout) usually quote.
        """
        n = sum(p.numel() for p in self.parameters())  # parameters() yields a tied matrix once
        if not include_embeddings:
            n -= self.transformer.wte.weight.numel() + self.transformer.wpe.weight.numel()
        return n

    def forward(self, idx: torch.Tensor, targets: torch.Tensor | None = None, *,
                caches: list[KVCache] | None = None,
                last_only: bool = False) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Return ``(logits, loss)`` for token ids ``idx`` of shape (batch, time).

        ``targets`` (same shape) gives the cross-entropy of predicting every next token at once.
        ``last_only`` computes logits for the last position only: all that generation needs.
        ``caches`` (one :class:`KVCache` per block) makes the model remember earlier tokens,
        so ``idx`` only has to hold the new ones. Ids (and targets) outside
        ``0 .. vocab_size - 1`` are a ``ValueError`` that names the id (always on the CPU; on a
        GPU outside training steps, which would otherwise wait for the check every step).
        """
        if idx.dim() != 2 or idx.dtype not in (torch.long, torch.int):
            raise ValueError(f"idx must be integer token ids of shape (batch, time), "
                             f"got dtype {idx.dtype} and shape {tuple(idx.shape)}")
        # Reading the check's answer back from a GPU would stall it every training step; there
        # the batches come from the tokenizer that set vocab_size, so only other calls check.
        if idx.device.type == "cpu" or not self.training:
            check_token_ids(idx, self.config.vocab_size)
            if targets is not None:
                check_token_ids(targets, self.config.vocab_size, what="target token id")
        B, T = idx.shape
        past = caches[0].length if caches else 0
        if past and past + T > self.config.block_size:
            raise ValueError(f"the KV cache is full: it already holds {past} tokens and "
                             f"{T} more would pass the block size {self.config.block_size}. "
                             f"Start fresh caches (model.make_caches()) and feed the last "
                             f"{self.config.block_size} tokens; generation does this when the "
                             f"text slides past the block.")
        if past + T > self.config.block_size:
            raise ValueError(f"sequence of {past + T} tokens is longer than the block size "
                             f"{self.config.block_size}; crop it to the last "
                             f"{self.config.block_size} tokens")
        if caches is not None and len(caches) != self.config.n_layer:
            raise ValueError(f"need one KV cache per block: {self.config.n_layer}, got {len(caches)}")
        pos = torch.arange(past, past + T, device=idx.device)
        x = self.transformer.drop(self.transformer.wte(idx) + self.transformer.wpe(pos))
        for i, block in enumerate(self.transformer.h):
            x = block(x, caches[i] if caches else None)
        x = self.transformer.ln_f(x)
        if targets is not None:
            logits = self.lm_head(x)
            # loss in float32: under bf16 autocast the logits are bf16, too coarse for log-softmax
            loss = F.cross_entropy(logits.float().view(-1, logits.size(-1)), targets.reshape(-1))
            return logits, loss
        if last_only:
            x = x[:, [-1], :]  # only the last position's vector predicts the next token
        return self.lm_head(x), None

    def make_caches(self, batch: int = 1) -> list[KVCache]:
        """Empty KV caches (one per block) sized for the full block, ``n_kv_head`` heads each."""
        p = self.lm_head.weight
        c = self.config
        return [KVCache(batch, c.kv_heads, c.block_size, c.head_dim, p.device, p.dtype)
                for _ in range(c.n_layer)]

    def configure_optimizer(self, weight_decay: float, learning_rate: float,
                            betas: tuple[float, float], device_type: str) -> torch.optim.AdamW:
        """AdamW that decays only matrices (weights, embeddings), not biases or norm gains."""
        params = [p for p in self.parameters() if p.requires_grad]
        groups = [
            {"params": [p for p in params if p.dim() >= 2], "weight_decay": weight_decay},
            {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0},
        ]
        fused = device_type == "cuda"  # one kernel for the whole update on the GPU
        return torch.optim.AdamW(groups, lr=learning_rate, betas=betas, fused=fused)

    def flops_per_token(self) -> float:
        """Training FLOPs per token (forward + backward), as in the PaLM paper's appendix B."""
        c = self.config
        n = self.num_params(include_embeddings=False) + self.transformer.wte.weight.numel()
        return 6 * n + 12 * c.n_layer * c.n_embd * c.block_size
