"""Checkpoints: round trip, compact export, safe loading, clear errors."""

from __future__ import annotations

import pytest
import torch

from course_utils.gpt import (
    GPT,
    CharTokenizer,
    CheckpointError,
    GPTConfig,
    generate,
    load_checkpoint,
    pretrained_path,
    save_checkpoint,
)


@pytest.fixture
def saved(tmp_path):
    torch.manual_seed(0)
    tok = CharTokenizer.from_text("hello world\n")
    model = GPT(GPTConfig(vocab_size=tok.vocab_size, block_size=16, n_layer=2, n_head=2, n_embd=16))
    path = save_checkpoint(tmp_path / "ckpt.pt", model, tok, iter_num=7,
                           history={"val_loss": [2.0, 1.5]}, meta={"note": "test"})
    return path, model, tok


def test_round_trip_restores_weights_config_tokenizer_and_records(saved):
    path, model, tok = saved
    ckpt = load_checkpoint(path)
    assert ckpt.config == model.config and ckpt.tokenizer == tok
    assert ckpt.iter_num == 7 and ckpt.history["val_loss"] == [2.0, 1.5]
    assert ckpt.meta["note"] == "test"
    for (name, a), b in zip(model.state_dict().items(), ckpt.model.state_dict().values(), strict=True):
        assert torch.equal(a, b), name
    assert not ckpt.model.training
    assert ckpt.model.lm_head.weight is ckpt.model.transformer.wte.weight  # still tied
    assert generate(ckpt.model, ckpt.tokenizer, "he", 20, greedy=True) == \
        generate(model, tok, "he", 20, greedy=True)


def test_half_precision_export_is_smaller_and_close(saved, tmp_path):
    path, model, tok = saved
    small = save_checkpoint(tmp_path / "small.pt", model, tok, dtype="bfloat16")
    assert small.stat().st_size < path.stat().st_size
    ckpt = load_checkpoint(small)
    assert ckpt.model.lm_head.weight.dtype == torch.float32
    torch.testing.assert_close(ckpt.model.lm_head.weight, model.lm_head.weight, atol=1e-3, rtol=1e-2)


def test_overrides_that_keep_the_weights_are_allowed(saved):
    path, _, _ = saved
    assert load_checkpoint(path, fused_attention=False).config.fused_attention is False


def test_config_mismatch_names_the_differing_fields(saved):
    path, model, _ = saved
    other = GPTConfig(**{**model.config.to_dict(), "n_embd": 32, "n_layer": 3})
    with pytest.raises(CheckpointError, match="n_layer: 3 vs 2, n_embd: 32 vs 16"):
        load_checkpoint(path, expected_config=other)


def test_corrupt_and_truncated_files_are_clear_errors(saved, tmp_path):
    path, _, _ = saved
    garbage = tmp_path / "garbage.pt"
    garbage.write_bytes(b"this is not a checkpoint")
    with pytest.raises(CheckpointError, match="not a readable checkpoint"):
        load_checkpoint(garbage)
    truncated = tmp_path / "truncated.pt"
    truncated.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(CheckpointError, match="not a readable checkpoint"):
        load_checkpoint(truncated)
    with pytest.raises(CheckpointError, match="no checkpoint file"):
        load_checkpoint(tmp_path / "missing.pt")


def test_files_with_code_are_refused(tmp_path):
    """weights_only=True: a pickle that would build an arbitrary object is not loaded."""
    evil = tmp_path / "evil.pt"
    torch.save({"format": "course_utils.gpt/1", "model": GPTConfig()}, evil)  # a pickled object
    with pytest.raises(CheckpointError, match="not a readable checkpoint"):
        load_checkpoint(evil)


def test_wrong_contents_are_clear_errors(saved, tmp_path):
    path, model, tok = saved
    other = tmp_path / "plain.pt"
    torch.save({"weights": torch.zeros(3)}, other)
    with pytest.raises(CheckpointError, match="not a GPT checkpoint"):
        load_checkpoint(other)
    payload = torch.load(path, weights_only=True)
    payload["model"]["transformer.wpe.weight"] = torch.zeros(3, 3)
    torch.save(payload, other)
    with pytest.raises(CheckpointError, match="shape mismatches.*wpe"):
        load_checkpoint(other)


@pytest.mark.skipif(not pretrained_path().is_file(), reason="no shipped checkpoint yet")
def test_shipped_checkpoint_loads_is_small_and_writes_shakespeare():
    assert pretrained_path().stat().st_size <= 10_000_000
    ckpt = load_checkpoint(pretrained_path())
    assert ckpt.tokenizer.vocab_size == 65
    assert ckpt.meta["val_loss"] <= 1.60
    assert len(generate(ckpt.model, ckpt.tokenizer, "ROMEO:", 20, seed=0)) == 20
