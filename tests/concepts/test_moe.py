"""Mixture of experts: routing, the load-balancing loss, the MoE layer inside a GPT, counts."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from course_utils import moe
from course_utils.gpt import GPT, GPTConfig

CFG = GPTConfig(vocab_size=11, block_size=8, n_layer=2, n_head=2, n_embd=16)


def test_top_k_routing_picks_the_largest_scores_best_first_and_weights_sum_to_one():
    logits = torch.tensor([[0.1, 2.0, -1.0, 1.5], [3.0, 0.0, 2.0, -5.0]])
    weights, experts = moe.top_k_routing(logits, 2)
    assert experts.tolist() == [[1, 3], [0, 2]]
    assert torch.allclose(weights.sum(dim=1), torch.ones(2))
    assert torch.allclose(weights[0], F.softmax(torch.tensor([2.0, 1.5]), dim=0))


def test_top_1_routing_gives_weight_one():
    weights, experts = moe.top_k_routing(torch.randn(5, 3), 1)
    assert torch.equal(weights, torch.ones(5, 1))
    assert experts.shape == (5, 1)


@pytest.mark.parametrize("k, n, message", [(3, 2, "top 3 experts"), (0, 4, "at least 1"),
                                           (2.0, 4, "whole number")])
def test_a_router_asked_for_too_many_experts_says_so(k, n, message):
    with pytest.raises((ValueError, TypeError), match=message):
        moe.top_k_routing(torch.randn(4, n), k)
    with pytest.raises((ValueError, TypeError), match=message):
        moe.moe_gpt(CFG, n, k)


def test_routing_rejects_logits_that_are_not_a_matrix():
    with pytest.raises(ValueError, match="tokens, n_experts"):
        moe.top_k_routing(torch.randn(4), 1)


def test_balance_loss_is_one_for_an_even_load_and_n_experts_for_one_expert():
    n = 4
    even_probs = torch.full((8, n), 1 / n)
    even_experts = torch.arange(8).remainder(n).unsqueeze(1)
    assert moe.load_balancing_loss(even_probs, even_experts).item() == pytest.approx(1.0)
    one_probs = F.one_hot(torch.zeros(8, dtype=torch.long), n).float()
    one_experts = torch.zeros(8, 1, dtype=torch.long)
    assert moe.load_balancing_loss(one_probs, one_experts).item() == pytest.approx(n)


def test_the_balance_loss_gradient_lowers_the_busiest_experts_probability():
    logits = torch.tensor([[2.0, 0.0, 0.0]] * 6, requires_grad=True)
    probs = F.softmax(logits, dim=-1)
    experts = torch.zeros(6, 1, dtype=torch.long)
    moe.load_balancing_loss(probs, experts).backward()
    assert (logits.grad[:, 0] > 0).all()  # gradient descent lowers expert 0's logit


def test_moe_layer_equals_the_weighted_sum_of_its_chosen_experts():
    torch.manual_seed(0)
    layer = moe.MoE(CFG, n_experts=4, k=2)
    x = torch.randn(3, 5, CFG.n_embd)
    out = layer(x)
    tokens = x.reshape(-1, CFG.n_embd)
    weights, experts = moe.top_k_routing(layer.router(tokens), 2)
    want = torch.stack([sum(w * layer.experts[e](t) for w, e in zip(ws, es, strict=True))
                        for t, ws, es in zip(tokens, weights, experts.tolist(), strict=True)])
    assert torch.allclose(out.reshape(-1, CFG.n_embd), want, atol=1e-6)
    assert int(layer.last_load.sum()) == tokens.size(0) * 2


def test_moe_gpt_trains_and_reports_load_and_balance():
    torch.manual_seed(0)
    model = moe.moe_gpt(CFG, n_experts=4, k=1)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-2)
    x = torch.randint(0, CFG.vocab_size, (4, CFG.block_size))
    losses = []
    for _ in range(20):
        _, loss = model(x, x)
        total = loss + 0.01 * moe.balance_loss(model)
        opt.zero_grad()
        total.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0]
    load = moe.expert_load(model)
    assert load.shape == (CFG.n_layer, 4)
    assert torch.allclose(load.sum(dim=1), torch.ones(CFG.n_layer))
    assert model.transformer.h[0].mlp.router.weight.grad is not None


def test_parameter_counts_total_and_active():
    dense = GPT(CFG)
    model = moe.moe_gpt(CFG, n_experts=4, k=1)
    per_expert = sum(p.numel() for p in model.transformer.h[0].mlp.experts[0].parameters())
    router = CFG.n_embd * 4
    counts = moe.parameter_counts(model)
    assert counts.total == dense.num_params() + CFG.n_layer * (3 * per_expert + router)
    assert counts.active == dense.num_params() + CFG.n_layer * router
    assert counts.flops_per_token == 2 * counts.active
    assert moe.parameter_counts(dense).active == dense.num_params()


def test_a_model_without_moe_layers_is_a_clear_error():
    with pytest.raises(ValueError, match="no MoE layer"):
        moe.balance_loss(GPT(CFG))
