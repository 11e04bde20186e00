"""SFT, preference pairs, the reward model, RLHF and DPO, on tiny random models."""

from __future__ import annotations

import copy

import pytest
import torch

from course_utils import alignment
from course_utils.gpt import GPT, CharTokenizer, GPTConfig

TOK = CharTokenizer("\n !?:ABQabcde")
CFG = GPTConfig(vocab_size=TOK.vocab_size, block_size=32, n_layer=1, n_head=2, n_embd=16)


@pytest.fixture
def model():
    torch.manual_seed(0)
    return GPT(CFG)


def test_chat_format():
    assert alignment.chat_prompt("ab") == "Q: ab\nA: "
    assert alignment.chat_text("ab", "cd") == "Q: ab\nA: cd\n"
    with pytest.raises(TypeError, match="text"):
        alignment.chat_prompt(3)


def test_dialogue_pairs_take_first_lines_of_consecutive_speeches():
    play = "A:\nhello there\nmore\n\nB:\nwho is it?\n\nC:\na very long line indeed\n"
    assert alignment.dialogue_pairs(play, max_chars=15) == [("hello there", "who is it?")]
    assert len(alignment.dialogue_pairs(play, max_chars=40)) == 2


def test_sft_batch_puts_the_loss_on_the_reply_only():
    x, y = alignment.sft_batch(TOK, [("ab", "cd"), ("a", "bcde")])
    assert x.shape == y.shape
    text = alignment.chat_text("ab", "cd")
    reply_targets = [t for t in y[0].tolist() if t != alignment.IGNORE]
    assert TOK.decode(reply_targets) == "cd\n"
    assert TOK.decode(x[0, :len(text)].tolist()) == text
    assert TOK.decode([t for t in y[1].tolist() if t != alignment.IGNORE]) == "bcde\n"


def test_sft_lowers_the_reply_loss(model):
    x, y = alignment.sft_batch(TOK, [("ab", "cd"), ("ba", "dc")])
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    first = alignment.sft_loss(model, x, y).item()
    for _ in range(30):
        loss = alignment.sft_loss(model, x, y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert loss.item() < first / 2


def test_response_logprobs_match_the_models_next_token_probabilities(model):
    prompts = torch.randint(0, TOK.vocab_size, (2, 5))
    responses = torch.randint(0, TOK.vocab_size, (2, 4))
    logp = alignment.response_logprobs(model, prompts, responses)
    ids = torch.cat([prompts, responses], dim=1)
    logits, _ = model(ids)
    want = torch.log_softmax(logits[0, 5 + 1], dim=-1)[responses[0, 2]]  # predicts position 7
    assert logp.shape == (2, 4)
    assert logp[0, 2].item() == pytest.approx(want.item(), abs=1e-5)


def test_sampling_is_reproducible_and_fits_the_block(model):
    prompts = torch.randint(0, TOK.vocab_size, (3, 6))
    a = alignment.sample_responses(model, prompts, 5, torch.Generator().manual_seed(1))
    b = alignment.sample_responses(model, prompts, 5, torch.Generator().manual_seed(1))
    assert a.shape == (3, 5) and torch.equal(a, b)
    with pytest.raises(ValueError, match="do not fit the block"):
        alignment.sample_responses(model, prompts, 30, torch.Generator())


def test_label_pairs_prefers_the_higher_score_and_drops_ties():
    a = torch.tensor([[1, 1], [2, 2], [3, 3]])
    b = torch.tensor([[0, 0], [5, 5], [3, 3]])
    chosen, rejected, kept = alignment.label_pairs(a, b, lambda r: r.sum(dim=1))
    assert kept.tolist() == [True, True, False]
    assert chosen.tolist() == [[1, 1], [5, 5]] and rejected.tolist() == [[0, 0], [2, 2]]


def test_preference_pairs_of_unequal_length_are_a_clear_error():
    rm = alignment.CharRewardModel(TOK.vocab_size)
    with pytest.raises(ValueError, match="unequal length"):
        alignment.preference_loss(rm, torch.zeros(2, 5, dtype=torch.long),
                                  torch.zeros(2, 4, dtype=torch.long))
    with pytest.raises(ValueError, match="one of each"):
        alignment.check_pairs(torch.zeros(2, 5, dtype=torch.long), torch.zeros(3, 5, dtype=torch.long))


def test_reward_model_learns_the_rule_from_pairs():
    g = torch.Generator().manual_seed(0)
    a = torch.randint(0, TOK.vocab_size, (200, 8), generator=g)
    b = torch.randint(0, TOK.vocab_size, (200, 8), generator=g)
    bang = TOK.encode("!")[0]
    chosen, rejected, _ = alignment.label_pairs(a, b, lambda r: (r == bang).sum(dim=1))
    rm = alignment.CharRewardModel(TOK.vocab_size)
    opt = torch.optim.Adam(rm.parameters(), lr=0.05)
    for _ in range(100):
        loss, acc = alignment.preference_loss(rm, chosen, rejected)
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert acc.item() > 0.95
    assert int(rm.score.weight.argmax()) == bang


def test_reward_model_of_another_vocabulary_is_a_clear_error():
    with pytest.raises(ValueError, match="another vocabulary"):
        alignment.CharRewardModel(5)(torch.tensor([[7, 1]]))


def test_rlhf_raises_the_reward_and_the_kl_penalty_holds_the_policy_back(model):
    bang = TOK.encode("!")[0]

    class BangReward(torch.nn.Module):
        def forward(self, r):
            return (r == bang).float().sum(dim=1)

    prompts = torch.randint(0, TOK.vocab_size, (16, 4), generator=torch.Generator().manual_seed(0))
    results = {}
    for coef in (0.0, 5.0):
        policy = copy.deepcopy(model)
        opt = torch.optim.Adam(policy.parameters(), lr=1e-2)
        g = torch.Generator().manual_seed(0)
        steps = [alignment.rlhf_step(policy, model, BangReward(), prompts, 6, opt, coef, g)
                 for _ in range(25)]
        results[coef] = steps
    free, leashed = results[0.0], results[5.0]
    assert free[0].kl == pytest.approx(0.0, abs=1e-5)
    assert sum(s.reward for s in free[-5:]) > sum(s.reward for s in free[:5]) + 5
    assert sum(s.kl for s in leashed[-5:]) < sum(s.kl for s in free[-5:])


def test_rlhf_step_input_checks(model):
    other = GPT(GPTConfig(vocab_size=TOK.vocab_size + 1, block_size=32, n_layer=1, n_head=2, n_embd=16))
    opt = torch.optim.Adam(model.parameters())
    prompts = torch.zeros(2, 3, dtype=torch.long)
    rm = alignment.CharRewardModel(TOK.vocab_size)
    with pytest.raises(ValueError, match="another vocabulary"):
        alignment.rlhf_step(model, other, rm, prompts, 4, opt, 0.1, torch.Generator())
    with pytest.raises(ValueError, match="0 or more"):
        alignment.rlhf_step(model, model, rm, prompts, 4, opt, -1.0, torch.Generator())


def test_dpo_starts_at_log_2_and_learns_the_preference(model):
    g = torch.Generator().manual_seed(0)
    prompts = torch.randint(0, TOK.vocab_size, (8, 3), generator=g)
    chosen = torch.full((8, 4), TOK.encode("!")[0])
    rejected = torch.full((8, 4), TOK.encode("a")[0])
    policy = copy.deepcopy(model)
    first = alignment.dpo_loss(policy, model, prompts, chosen, rejected, beta=0.5)
    assert first.item() == pytest.approx(torch.log(torch.tensor(2.0)).item(), abs=1e-5)
    opt = torch.optim.Adam(policy.parameters(), lr=1e-2)
    for _ in range(20):
        loss = alignment.dpo_loss(policy, model, prompts, chosen, rejected, beta=0.5)
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert loss.item() < 0.2
    with pytest.raises(ValueError, match="unequal length"):
        alignment.dpo_loss(policy, model, prompts, chosen, rejected[:, :3])
    with pytest.raises(ValueError, match="positive"):
        alignment.dpo_loss(policy, model, prompts, chosen, rejected, beta=0.0)


def test_a_model_with_another_vocabulary_is_named():
    other = GPT(GPTConfig(vocab_size=50, block_size=8, n_layer=1, n_head=1, n_embd=8))
    with pytest.raises(ValueError, match="trained with another vocabulary: it knows 50"):
        alignment.check_same_vocabulary(TOK, other)
    with pytest.raises(TypeError, match="GPT"):
        alignment.check_same_vocabulary(TOK, "model")
