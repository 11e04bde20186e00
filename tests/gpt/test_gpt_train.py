"""Training: the schedule, the loop from Python, resuming, the command line, and torchrun."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch

from course_utils.gpt import (
    GPTConfig,
    TrainConfig,
    get_preset,
    load_checkpoint,
    load_pretrained,
    lr_at,
    pretrained_path,
    train,
    window_at,
)
from course_utils.gpt.checkpoint import CheckpointError
from course_utils.gpt.cli import UsageError, main, parse_overrides

REPO = Path(__file__).resolve().parents[2]
TEXT = textwrap.dedent("""\
    First Citizen:
    Before we proceed any further, hear me speak.

    All:
    Speak, speak.

    First Citizen:
    You are all resolved rather to die than to famish?

    """) * 30


def tiny(tmp_path: Path, **kw) -> TrainConfig:
    return get_preset("tiny", out_dir=str(tmp_path / "run"), device="cpu", **kw)


def run_cli(args: list[str], cwd: Path, timeout: int = 120) -> subprocess.CompletedProcess:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "course_utils.gpt", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)


def test_learning_rate_warms_up_then_decays_to_min_lr():
    cfg = TrainConfig(learning_rate=1e-3, min_lr=1e-4, warmup_iters=10, max_iters=110)
    lrs = [lr_at(i, cfg) for i in range(130)]
    assert lrs[0] < lrs[5] < lrs[9] < lrs[10] == pytest.approx(1e-3)
    assert all(a >= b for a, b in zip(lrs[10:110], lrs[11:111], strict=True))  # monotone cosine decay
    assert lrs[60] == pytest.approx(5.5e-4)  # halfway: midway between the two rates
    assert lrs[125] == pytest.approx(1e-4)


def test_sequence_length_warm_up_grows_the_windows_and_keeps_the_tokens_per_step():
    cfg = TrainConfig(batch_size=8, seq_len_warmup_iters=500, seq_len_start=64).with_settings(
        block_size=512)
    assert window_at(0, cfg) == (64, 64)
    assert window_at(250, cfg) == (288, 14)  # halfway: 64 + 448 / 2 characters
    assert window_at(500, cfg) == window_at(3999, cfg) == (512, 8)
    lengths = [window_at(i, cfg)[0] for i in range(501)]
    assert lengths == sorted(lengths)
    for i in range(500):
        length, sequences = window_at(i, cfg)
        assert 0.85 * 4096 < length * sequences <= 4096
    plain = TrainConfig(batch_size=8).with_settings(block_size=512)
    assert {window_at(i, plain) for i in range(0, 1000, 7)} == {(512, 8)}
    longer_start = TrainConfig(batch_size=4, seq_len_warmup_iters=10, seq_len_start=1000)
    assert window_at(0, longer_start) == (longer_start.model.block_size, 4)  # never past the block


def test_train_with_sequence_length_warm_up_learns(tmp_path):
    result = train(tiny(tmp_path, max_iters=40, seq_len_warmup_iters=20, seq_len_start=8),
                   text=TEXT, progress=False)
    h = result.history
    assert len(h.train_loss) == 40 and h.val_loss[-1] < h.val_loss[0]


def test_train_config_validates():
    with pytest.raises(ValueError, match="cannot be split evenly"):
        TrainConfig(model=GPTConfig(n_embd=100, n_head=3))
    with pytest.raises(ValueError, match="cannot be split evenly"):
        get_preset("tiny", n_embd=100, n_head=3)
    with pytest.raises(ValueError, match="min_lr"):
        TrainConfig(learning_rate=1e-3, min_lr=1e-2)
    with pytest.raises(ValueError, match="unknown preset"):
        get_preset("huge")
    with pytest.raises(TypeError, match="must be a GPTConfig"):
        TrainConfig(model={"n_layer": 2})
    with pytest.raises(ValueError, match="seq_len_start must be a whole number"):
        TrainConfig(seq_len_start=0)
    with pytest.raises(ValueError, match="seq_len_warmup_iters must be a whole number"):
        TrainConfig(seq_len_warmup_iters=-5)


def test_train_config_holds_the_model_config_with_one_default_block_size():
    assert TrainConfig().model == GPTConfig()  # one set of model defaults, GPTConfig's
    cfg = TrainConfig().with_settings(block_size=64, n_layer=3, max_iters=9)
    assert (cfg.model.block_size, cfg.model.n_layer, cfg.max_iters) == (64, 3, 9)
    assert cfg.model_config(vocab_size=40) == GPTConfig(block_size=64, n_layer=3, vocab_size=40)
    with pytest.raises(ValueError, match="vocab_size comes from the tokenizer"):
        TrainConfig().with_settings(vocab_size=10)
    assert TrainConfig.from_dict(cfg.to_dict()) == cfg


def test_train_config_reads_the_older_flat_form():
    """Checkpoints written before TrainConfig held a GPTConfig stored the model fields flat."""
    cfg = TrainConfig().with_settings(block_size=64, n_layer=3, max_iters=9)
    nested = cfg.to_dict()
    flat = {**{k: v for k, v in nested.items() if k != "model"}, **nested["model"]}
    assert TrainConfig.from_dict(flat) == cfg
    with pytest.raises(ValueError, match="unknown TrainConfig fields"):
        TrainConfig.from_dict({**flat, "n_layers": 3})


@pytest.mark.skipif(not pretrained_path().is_file(), reason="no shipped checkpoint")
def test_shipped_checkpoint_loads_its_run_config_and_samples():
    """The shipped file records the preset it was trained with, and a block of 512."""
    ckpt = load_pretrained()
    run = TrainConfig.from_dict(ckpt.train_config)
    assert run.model == ckpt.config and run.model.block_size == 512
    assert run.model == get_preset("shakespeare-char").model_config(vocab_size=ckpt.config.vocab_size)
    from course_utils.gpt import generate

    text = generate(ckpt.model, ckpt.tokenizer, "ROMEO:", 30, seed=0)
    assert len(text) == 30 and set(text) <= set(ckpt.tokenizer.chars)


@pytest.mark.skipif(not pretrained_path().is_file(), reason="no shipped checkpoint")
def test_shipped_checkpoint_reaches_its_validation_goal_on_the_whole_split():
    """data/README.md quotes 1.485 over the whole validation split; the goal is at most 1.50."""
    from course_utils import load_text
    from course_utils.gpt.data import TextData
    from course_utils.gpt.train import split_loss

    text = load_text(verbose=False)
    if text.is_fallback:
        pytest.skip("Tiny Shakespeare is not available here")
    ckpt = load_pretrained()
    data = TextData(str(text), ckpt.tokenizer, val_fraction=0.1)
    assert len(data.val) == 111_540
    assert split_loss(ckpt.model, data, "val") <= 1.50


def test_train_from_python_learns_and_returns_history(tmp_path):
    result = train(tiny(tmp_path, max_iters=60), text=TEXT, progress=False)
    assert result.config.model == result.model.config  # with the text's vocabulary
    assert result.config.model.vocab_size == len(set(TEXT))
    h = result.history
    assert len(h.train_loss) == 60 and h.eval_iters == [24, 49, 59]
    assert h.val_loss[-1] < h.val_loss[0] < 3.5
    assert (tmp_path / "run" / "ckpt.pt").is_file() and (tmp_path / "run" / "history.json").is_file()
    ckpt = load_checkpoint(tmp_path / "run" / "ckpt.pt")
    assert ckpt.iter_num == 59 and ckpt.meta["val_loss"] == h.val_loss[-1]
    assert TrainConfig.from_dict(ckpt.train_config) == result.config


def test_resume_continues_where_the_run_stopped(tmp_path):
    train(tiny(tmp_path, max_iters=30, eval_interval=10), text=TEXT, progress=False)
    resumed = train(tiny(tmp_path, max_iters=50, eval_interval=10, resume=True), text=TEXT,
                    progress=False)
    assert resumed.history.eval_iters == [9, 19, 29, 39, 49]
    assert resumed.history.iters[0] == 0 and len(resumed.history.iters) == 50
    with pytest.raises(CheckpointError, match=r"different model.*n_embd: 64 vs 32"):
        train(tiny(tmp_path, n_embd=64, resume=True), text=TEXT, progress=False)
    # dropout does not change the weights' shapes: that run may resume
    more = train(tiny(tmp_path, max_iters=52, eval_interval=10, resume=True, dropout=0.1),
                 text=TEXT, progress=False)
    assert more.history.iters[-1] == 51


def test_a_non_finite_loss_stops_training_with_a_clear_error(tmp_path):
    from course_utils.gpt import GPT, CharTokenizer

    cfg = tiny(tmp_path, save_checkpoint=False)
    model = GPT(cfg.model_config(CharTokenizer.from_text(TEXT).vocab_size))
    model.lm_head.register_forward_hook(lambda module, inputs, out: out * float("inf"))
    message = r"the loss stopped being a finite number \(nan or inf\) at iteration 0 \(it was nan\)"
    with pytest.raises(FloatingPointError, match=message):
        train(cfg, text=TEXT, model=model, progress=False)


def test_text_too_short_for_the_block_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="too short for block_size=32"):
        train(tiny(tmp_path), text="short text " * 5, progress=False)


def test_command_line_overrides_are_typed_and_checked():
    got = parse_overrides(["--max_iters", "5", "--compile", "--lr_decay_iters=None",
                           "--dropout", "0.1", "--bias", "false"])
    assert got == {"max_iters": 5, "compile": True, "lr_decay_iters": None, "dropout": 0.1,
                   "bias": False}
    got = parse_overrides(["--block-size", "48", "--n_layer=3"])
    assert got == {"block_size": 48, "n_layer": 3}
    assert get_preset("tiny", **got).model.block_size == 48
    with pytest.raises(UsageError, match="did you mean --block_size"):
        parse_overrides(["--block-sise", "48"])
    with pytest.raises(UsageError, match="did you mean --max_iters"):
        parse_overrides(["--max_iter", "5"])
    with pytest.raises(UsageError, match="must be a int"):
        parse_overrides(["--max_iters", "many"])


def test_command_trains_end_to_end(tmp_path):
    """The real command in a fresh process, on a file, in seconds."""
    (tmp_path / "text.txt").write_text(TEXT, encoding="utf-8")
    out = tmp_path / "cli"
    done = run_cli(["train", "--preset", "tiny", "--text_file", "text.txt", "--out_dir", str(out),
                    "--max_iters", "30", "--block-size", "24", "--device", "cpu", "--no-progress"],
                   cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "val loss" in done.stdout and (out / "ckpt.pt").is_file()
    ckpt = load_checkpoint(out / "ckpt.pt")
    assert ckpt.iter_num == 29 and ckpt.config.block_size == 24


def test_sample_and_export_commands(tmp_path, capsys):
    train(tiny(tmp_path, max_iters=10), text=TEXT, progress=False)
    ckpt = tmp_path / "run" / "ckpt.pt"
    capsys.readouterr()
    assert main(["sample", "--checkpoint", str(ckpt), "--prompt", "First", "--max_new_tokens",
                 "40", "--seed", "0"]) == 0
    assert len(capsys.readouterr().out) == 41  # 40 characters and a newline
    assert main(["export", str(ckpt), str(tmp_path / "small.pt")]) == 0
    assert (tmp_path / "small.pt").stat().st_size < ckpt.stat().st_size
    assert main(["presets"]) == 0
    listed = capsys.readouterr().out
    assert "shakespeare-char (default): block_size=512, n_layer=6" in listed


@pytest.mark.parametrize("argv,message", [
    (["train", "--preset", "tiny", "--n_embd", "30", "--n_head", "4"], "cannot be split evenly"),
    (["train", "--preset", "tiny", "--max_iter", "3"], "did you mean --max_iters"),
    (["sample", "--checkpoint", "nope.pt"], "no checkpoint file"),
    (["sample", "--checkpoint", "{ckpt}", "--prompt", "Zzz"], "not in the vocabulary"),
    (["sample", "--checkpoint", "{ckpt}", "--temperature", "0"], "temperature must be"),
])
def test_command_errors_are_one_line_not_a_traceback(tmp_path, capsys, argv, message):
    if any("{ckpt}" in a for a in argv):
        train(tiny(tmp_path, max_iters=2, eval_interval=2), text=TEXT, progress=False)
        argv = [a.format(ckpt=tmp_path / "run" / "ckpt.pt") for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and len(err.splitlines()) == 1


DDP_SCRIPT = """
import sys, torch, torch.distributed as dist
from course_utils.gpt import get_preset, train
text = open(sys.argv[1], encoding="utf-8").read()
cfg = get_preset("tiny", out_dir=sys.argv[2], device="cpu", max_iters=12, eval_interval=6)
result = train(cfg, text=text, progress=False)
flat = torch.cat([p.detach().flatten() for p in result.model.parameters()])
torch.save(flat, f"{sys.argv[2]}/params_rank{sys.argv[3] if len(sys.argv) > 3 else ''}"
           f"{__import__('os').environ['RANK']}.pt")
"""


def test_torchrun_data_parallel_on_cpu_with_gloo(tmp_path):
    """Two processes, different batches, averaged gradients: both end with identical weights."""
    (tmp_path / "text.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "ddp.py").write_text(DDP_SCRIPT)
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
         str(tmp_path / "ddp.py"), str(tmp_path / "text.txt"), str(tmp_path / "run")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]
    a, b = (torch.load(tmp_path / "run" / f"params_rank{r}.pt") for r in (0, 1))
    assert torch.equal(a, b)
    ckpt = load_checkpoint(tmp_path / "run" / "ckpt.pt")
    assert ckpt.train_config["batch_size"] == 8 and ckpt.iter_num == 11
    assert "x2" in done.stdout  # the master reports two processes


def test_every_preset_is_a_valid_configuration():
    from course_utils.gpt import PRESETS

    for name in PRESETS:
        cfg = get_preset(name)
        assert cfg.model_config(vocab_size=65).n_embd % cfg.model.n_head == 0
    with pytest.raises(ValueError, match="unknown training setting"):
        get_preset("tiny", n_embed=3)


def test_history_plots_and_round_trips(tmp_path):
    result = train(tiny(tmp_path, max_iters=10, eval_interval=5), text=TEXT, progress=False)
    ax = result.history.plot()
    assert len(ax.lines) == 3
    from course_utils.gpt import History

    assert History.from_dict(result.history.to_dict()) == result.history


def test_split_loss_covers_the_whole_split_and_matches_a_direct_computation():
    from course_utils.gpt import GPT, TextData, split_loss

    data = TextData(TEXT)
    torch.manual_seed(0)
    model = GPT(tiny(Path("unused")).model_config(data.tokenizer.vocab_size))
    T = model.config.block_size
    n = (len(data.val) - 1) // T
    direct = model(data.val[: n * T].view(n, T), data.val[1: n * T + 1].view(n, T))[1].item()
    assert split_loss(model, data, "val", batch_size=3) == pytest.approx(direct, rel=1e-5)


NAN_ON_ONE_RANK_SCRIPT = """
import os, sys, torch
from course_utils.gpt import GPT, CharTokenizer, get_preset, train
text = open(sys.argv[1], encoding="utf-8").read()
cfg = get_preset("tiny", out_dir=sys.argv[2], device="cpu", max_iters=20, eval_interval=20,
                 save_checkpoint=False)
model = GPT(cfg.model_config(CharTokenizer.from_text(text).vocab_size))
calls = 0

def poison(module, inputs, output):  # from iteration 3 on, rank 1's logits are nan
    global calls
    calls += module.training
    return output * float("nan") if calls > 3 else output

if os.environ["RANK"] == "1":
    model.lm_head.register_forward_hook(poison)
train(cfg, text=text, model=model, progress=False)
"""


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.timeout(120)
def test_a_nan_loss_on_one_process_stops_every_process(tmp_path):
    """Two gloo processes; only rank 1's loss turns nan, yet both stop with the same error."""
    (tmp_path / "text.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "nan.py").write_text(NAN_ON_ONE_RANK_SCRIPT)
    base = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(REPO), "WORLD_SIZE": "2",
            "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": str(_free_port())}
    procs = [subprocess.Popen([sys.executable, str(tmp_path / "nan.py"), str(tmp_path / "text.txt"),
                               str(tmp_path / "run")], cwd=tmp_path, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              env={**base, "RANK": str(rank), "LOCAL_RANK": str(rank)})
             for rank in (0, 1)]
    try:
        errors = [p.communicate(timeout=90)[1] for p in procs]
    except subprocess.TimeoutExpired:
        for p in procs:
            p.kill()
        pytest.fail("a process hung instead of stopping on the non-finite loss")
    for rank, (p, err) in enumerate(zip(procs, errors, strict=True)):
        assert p.returncode != 0, f"rank {rank} finished normally:\n{err[-2000:]}"
        assert "FloatingPointError: the loss stopped being a finite number (nan or inf) at " \
               "iteration 3 in at least one of the 2 processes" in err, err[-2000:]
