"""Training data for a character GPT: the text as token ids, split, and cut into batches."""

from __future__ import annotations

import hashlib

import torch

from .tokenizer import CharTokenizer


def sha256_text(text: str) -> str:
    """SHA-256 of the text's UTF-8 bytes (equals the file's checksum for a UTF-8 file)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class TextData:
    """A text encoded once into token ids, split into a training and a validation part.

    The split is by position (the last ``val_fraction`` of the text is validation), so the
    validation loss measures text the model never trained on rather than shuffled neighbours.
    """

    def __init__(self, text: str, tokenizer: CharTokenizer | None = None,
                 val_fraction: float = 0.1) -> None:
        if not isinstance(text, str) or not text:
            raise ValueError("training text must be a non-empty string")
        self.tokenizer = tokenizer if tokenizer is not None else CharTokenizer.from_text(text)
        ids = torch.tensor(self.tokenizer.encode(text), dtype=torch.long)
        n_train = int(len(ids) * (1 - val_fraction))
        self.train, self.val = ids[:n_train], ids[n_train:]
        self.sha256 = sha256_text(text)

    def check_block_size(self, block_size: int) -> None:
        """Both splits must hold at least one window of ``block_size + 1`` tokens."""
        shortest = min(len(self.train), len(self.val))
        if shortest <= block_size:
            raise ValueError(
                f"the text is too short for block_size={block_size}: the smaller split has only "
                f"{shortest} tokens (train {len(self.train)}, validation {len(self.val)}). Use a "
                f"longer text or a smaller block_size (below {shortest})."
            )

    def get_batch(self, split: str, batch_size: int, block_size: int,
                  generator: torch.Generator | None = None,
                  device: str | torch.device = "cpu") -> tuple[torch.Tensor, torch.Tensor]:
        """``batch_size`` random windows: inputs ``x`` and targets ``y`` (``x`` shifted by one)."""
        if split not in ("train", "val"):
            raise ValueError(f"split must be 'train' or 'val', got {split!r}")
        data = self.train if split == "train" else self.val
        starts = torch.randint(len(data) - block_size, (batch_size,), generator=generator)
        windows = data.unfold(0, block_size + 1, 1)[starts]  # (B, T+1), no Python loop
        x, y = windows[:, :-1], windows[:, 1:]
        if torch.device(device).type == "cuda":  # pinned memory lets the copy overlap compute
            return (x.pin_memory().to(device, non_blocking=True),
                    y.pin_memory().to(device, non_blocking=True))
        return x.to(device), y.to(device)
