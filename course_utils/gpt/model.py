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
    The storage is allocated once, for ``max_len`` positions.
    """

    def __init__(self, batch: int, n_head: int, max_len: int, head_dim: int,
                 device: torch.device | str, dtype: torch.dtype) -> None:
        shape = (batch, n_head, max_len, head_dim)
        self.k = torch.zeros(shape, device=device, dtype=dtype)
        self.v = torch.zeros(shape, device=device, dtype=dtype)
        self.length = 0  # positions filled so far

    def append(self, k: torch.Tensor, v: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Store the new keys/values (B, nh, T, hd); return all keys/values so far."""
        start, end = self.length, self.length + k.size(2)
        if end > self.k.size(2):
            raise ValueError(f"KV cache is full: it holds {self.k.size(2)} positions, "
                             f"{end} were asked for")
        self.k[:, :, start:end] = k
        self.v[:, :, start:end] = v
        self.length = end
        return self.k[:, :, :end], self.v[:, :, :end]


class CausalSelfAttention(nn.Module):
    """Multi-head self-attention in which each position sees only itself and the past."""

    def __init__(self, config: GPTConfig) -> None:
        super().__init__()
        self.n_head, self.n_embd = config.n_head, config.n_embd
        self.fused = config.fused_attention
        self.dropout = config.dropout
        # queries, keys and values for all heads come out of one matrix multiplication
        self.c_attn = nn.Linear(config.n_embd, 3 * config.n_embd, bias=config.bias)
        self.c_proj = nn.Linear(config.n_embd, config.n_embd, bias=config.bias)
        self.attn_dropout = nn.Dropout(config.dropout)
        self.resid_dropout = nn.Dropout(config.dropout)

    def forward(self, x: torch.Tensor, cache: KVCache | None = None) -> torch.Tensor:
        B, T, C = x.shape  # batch, time (positions), channels (n_embd)
        q, k, v = self.c_attn(x).split(self.n_embd, dim=2)
        # (B, T, C) -> (B, nh, T, hd): the heads become a batch dimension, so no loop over heads
        q, k, v = (t.view(B, T, self.n_head, C // self.n_head).transpose(1, 2) for t in (q, k, v))
        past = 0
        if cache is not None:
            past = cache.length
            k, v = cache.append(k, v)
        # without a cache, is_causal=True lets the fused kernel skip the future on its own; with
        # one, the queries sit after `past` cached keys and need an explicit mask (none for T=1)
        mask = None if past == 0 or T == 1 else causal_mask(T, past, x.device)
        if self.fused:
            y = F.scaled_dot_product_attention(
                q, k, v, attn_mask=mask, dropout_p=self.dropout if self.training else 0.0,
                is_causal=past == 0 and T > 1)
        else:
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
        """Empty KV caches (one per block) sized for the full block."""
        p = self.lm_head.weight
        c = self.config
        return [KVCache(batch, c.n_head, c.block_size, c.head_dim, p.device, p.dtype)
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
