"""Writing text with a trained GPT, one token at a time.

Each step feeds the text so far (at most ``block_size`` tokens: older ones are cropped), turns
the last position's logits into probabilities and picks the next token: the likeliest one
(greedy), or a random draw shaped by ``temperature`` (below 1 sharper, above 1 flatter),
``top_k`` (only the k likeliest) and ``top_p`` (the smallest set holding probability p).
With the KV cache each step only computes the new token.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import torch
import torch.nn.functional as F

from .model import GPT, check_token_ids
from .tokenizer import CharTokenizer


def check_sampling_args(vocab_size: int, max_new_tokens: int, temperature: float,
                        top_k: int | None, top_p: float | None) -> None:
    """Reject settings that cannot work, with a message saying what would."""
    if isinstance(max_new_tokens, bool) or not isinstance(max_new_tokens, int) or max_new_tokens < 0:
        raise ValueError(f"max_new_tokens must be a whole number >= 0, got {max_new_tokens!r}")
    if isinstance(temperature, bool) or not isinstance(temperature, (int, float)) \
            or not temperature > 0 or temperature != temperature:
        raise ValueError(f"temperature must be a number above 0 (1.0 samples the model's own "
                         f"probabilities; smaller is more conservative), got {temperature!r}. "
                         f"For the single likeliest token use greedy=True.")
    if top_k is not None:
        if isinstance(top_k, bool) or not isinstance(top_k, int) or top_k < 1:
            raise ValueError(f"top_k must be a whole number >= 1 or None, got {top_k!r}")
        if top_k > vocab_size:
            raise ValueError(f"top_k={top_k} is larger than the vocabulary ({vocab_size} tokens); "
                             f"use top_k <= {vocab_size}, or top_k=None to keep every token")
    if top_p is not None and (isinstance(top_p, bool) or not isinstance(top_p, (int, float))
                              or not 0 < top_p <= 1):
        raise ValueError(f"top_p must be in (0, 1] or None, got {top_p!r}")


def next_token_probs(logits: torch.Tensor, temperature: float = 1.0, top_k: int | None = None,
                     top_p: float | None = None) -> torch.Tensor:
    """Turn logits (B, V) into the probabilities a sampler draws from."""
    # softmax in float32: bf16 logits (a bf16 model, or autocast) would round small probabilities
    logits = logits.float() / temperature
    if top_k is not None:
        kth = torch.topk(logits, top_k, dim=-1).values[:, [-1]]
        logits = logits.masked_fill(logits < kth, float("-inf"))
    probs = F.softmax(logits, dim=-1)
    if top_p is not None and top_p < 1:
        sorted_probs, order = torch.sort(probs, dim=-1, descending=True)
        # drop a token if the tokens ranked above it already hold top_p of the probability
        drop = sorted_probs.cumsum(dim=-1) - sorted_probs >= top_p
        sorted_probs = sorted_probs.masked_fill(drop, 0.0)
        probs = torch.zeros_like(probs).scatter(-1, order, sorted_probs)
        probs = probs / probs.sum(dim=-1, keepdim=True)
    return probs


@torch.inference_mode()
def generate_ids(model: GPT, idx: torch.Tensor, max_new_tokens: int, temperature: float = 1.0,
                 top_k: int | None = None, top_p: float | None = None, seed: int | None = None,
                 greedy: bool = False, use_cache: bool = True) -> Iterator[torch.Tensor]:
    """Yield ``max_new_tokens`` new token ids (each of shape (B, 1)) continuing ``idx`` (B, T).

    With ``use_cache`` the model keeps its keys and values (one pass over the prompt, then one
    token per step). When the text outgrows the block size the window slides by one token,
    which changes every position, so the cache is rebuilt from the cropped window: the cache
    saves work only while the text fits in the block, and gives exactly the same tokens.
    """
    if idx.dim() != 2 or idx.size(1) == 0:
        raise ValueError(f"idx must be token ids of shape (batch, time>0), got {tuple(idx.shape)}")
    check_sampling_args(model.config.vocab_size, max_new_tokens, temperature, top_k, top_p)
    check_token_ids(idx, model.config.vocab_size)  # before any step; generated ids are always valid
    was_training = model.training
    model.eval()
    block = model.config.block_size
    generator = None
    if seed is not None and not greedy:
        generator = torch.Generator(device=idx.device).manual_seed(seed)
    caches = None
    try:
        for _ in range(max_new_tokens):
            context = idx[:, -block:]  # crop to the block size
            if not use_cache:
                logits, _ = model(context, last_only=True)
            elif caches is None or caches[0].length >= block:
                caches = model.make_caches(idx.size(0))  # (re)fill from the whole window
                logits, _ = model(context, caches=caches, last_only=True)
            else:
                logits, _ = model(idx[:, -1:], caches=caches)  # only the newest token
            logits = logits[:, -1, :]
            if greedy or top_k == 1:
                next_id = logits.argmax(dim=-1, keepdim=True)
            else:
                probs = next_token_probs(logits, temperature, top_k, top_p)
                next_id = torch.multinomial(probs, 1, generator=generator)
            idx = torch.cat([idx, next_id], dim=1)
            yield next_id
    finally:
        model.train(was_training)


def _encode_prompt(model: GPT, tokenizer: CharTokenizer, prompt: str) -> torch.Tensor:
    if not isinstance(prompt, str):
        raise TypeError(f"prompt must be a string, got {type(prompt).__name__}")
    if prompt == "":
        raise ValueError("the prompt is empty: the model needs at least one character to "
                         "continue. Use prompt='\\n' to start from a new line.")
    if tokenizer.vocab_size != model.config.vocab_size:
        raise ValueError(f"tokenizer ({tokenizer.vocab_size} tokens) does not belong to this "
                         f"model (vocab_size={model.config.vocab_size})")
    device = next(model.parameters()).device
    return torch.tensor([tokenizer.encode(prompt)], dtype=torch.long, device=device)


def stream(model: GPT, tokenizer: CharTokenizer, prompt: str, max_new_tokens: int = 200,
           temperature: float = 1.0, top_k: int | None = None, top_p: float | None = None,
           seed: int | None = None, greedy: bool = False, use_cache: bool = True) -> Iterator[str]:
    """Yield the generated text piece by piece, for printing as it is written.

    >>> for piece in stream(model, tok, "ROMEO:", 100, seed=0):  # doctest: +SKIP
    ...     print(piece, end="")
    """
    idx = _encode_prompt(model, tokenizer, prompt)
    for next_id in generate_ids(model, idx, max_new_tokens, temperature, top_k, top_p, seed,
                                greedy, use_cache):
        yield tokenizer.decode(next_id[0])


def generate(model: GPT, tokenizer: CharTokenizer, prompt: str, max_new_tokens: int = 200,
             temperature: float = 1.0, top_k: int | None = None, top_p: float | None = None,
             seed: int | None = None, greedy: bool = False, use_cache: bool = True,
             on_text: Callable[[str], None] | None = None) -> str:
    """Continue ``prompt`` by ``max_new_tokens`` tokens and return only the new text.

    Args:
        temperature: > 0; divides the logits (below 1 sharper, above 1 more adventurous).
        top_k: sample among the k likeliest tokens only (1 is greedy); None keeps all.
        top_p: nucleus sampling: the smallest set of tokens whose probability reaches top_p.
        seed: makes sampling repeatable; None draws from torch's global generator.
        greedy: always take the likeliest token (temperature, top_k and top_p are then moot).
        use_cache: use the KV cache (same tokens, faster).
        on_text: called with every new piece of text, e.g. ``print`` with ``end=""``.

    Raises ``ValueError`` for an empty prompt, characters outside the vocabulary, a
    temperature <= 0, or a top_k larger than the vocabulary.
    """
    pieces = []
    for piece in stream(model, tokenizer, prompt, max_new_tokens, temperature, top_k, top_p,
                        seed, greedy, use_cache):
        pieces.append(piece)
        if on_text is not None:
            on_text(piece)
    return "".join(pieces)
