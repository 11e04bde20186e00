"""Mixture of experts: many MLPs per block, a router that sends each token to only ``k`` of them.

A transformer block's MLP holds about two thirds of its parameters, and every token goes
through all of them. A mixture-of-experts (MoE) layer keeps ``n_experts`` separate MLPs (the
*experts*) and a small linear *router* that scores them for each token; the token goes through
its ``k`` best experts only, and their outputs are mixed with the router's weights. So the
model has ``n_experts`` MLPs' worth of parameters but spends about ``k`` MLPs' worth of
compute per token (:func:`parameter_counts`).

Left alone, a router tends to send most tokens to a few experts (they get trained more, so
they win more). The Switch Transformer's load-balancing loss (:func:`load_balancing_loss`)
is added to the language-model loss to spread the tokens out; it is 1 when the load is even.

    model = moe_gpt(GPTConfig(...), n_experts=4, k=2)
    logits, loss = model(x, y)
    loss = loss + 0.01 * balance_loss(model)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

from course_utils.gpt import GPT, MLP, GPTConfig
from course_utils.validate import check_whole


def check_top_k(k: int, n_experts: int) -> int:
    """``k`` as an int, or an error a learner understands when the router cannot pick that many."""
    n_experts = check_whole(n_experts, "the router", "the number of experts n_experts", minimum=1)
    k = check_whole(k, "the router", "the number of experts per token k", minimum=1)
    if k > n_experts:
        raise ValueError(f"the router is asked for the top {k} experts of each token, but there "
                         f"are only {n_experts} experts: use k <= n_experts (k = 1 or 2 is usual)")
    return k


def top_k_routing(logits: torch.Tensor, k: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Each token's ``k`` best experts and their mixing weights.

    ``logits`` (tokens, n_experts) are the router's scores. Returns ``(weights, experts)``, both
    (tokens, k): ``experts`` the indices of the ``k`` highest scores (highest first), ``weights``
    the softmax over those ``k`` scores only, so each row sums to 1 (as in Mixtral).
    """
    if not isinstance(logits, torch.Tensor) or logits.dim() != 2:
        raise ValueError(f"router logits must be a (tokens, n_experts) tensor, got "
                         f"{getattr(logits, 'shape', type(logits).__name__)}")
    k = check_top_k(k, logits.size(1))
    top, experts = torch.topk(logits, k, dim=-1)
    return F.softmax(top, dim=-1), experts


def load_balancing_loss(router_probs: torch.Tensor, experts: torch.Tensor) -> torch.Tensor:
    """The Switch Transformer's auxiliary loss ``E · Σ_i f_i · P_i``; 1 for a perfectly even load.

    ``f_i`` is the share of routing slots that went to expert ``i`` (counted, not
    differentiable) and ``P_i`` the router's mean probability for it (differentiable). Their
    product is smallest when both are even, so the gradient lowers the probability of
    experts that already get more than their share.
    """
    n_experts = router_probs.size(-1)
    share = torch.bincount(experts.reshape(-1), minlength=n_experts).float() / experts.numel()
    return n_experts * (share * router_probs.mean(dim=0)).sum()


class MoE(nn.Module):
    """``n_experts`` MLPs and a router; each token is processed by its ``k`` best experts.

    After every forward pass ``last_load`` holds how many routing slots each expert got and
    ``last_balance_loss`` the load-balancing loss of that pass.
    """

    def __init__(self, config: GPTConfig, n_experts: int, k: int) -> None:
        super().__init__()
        self.k = check_top_k(k, n_experts)
        self.n_experts = n_experts
        self.router = nn.Linear(config.n_embd, n_experts, bias=False)
        self.experts = nn.ModuleList([MLP(config) for _ in range(n_experts)])
        self.last_load = torch.zeros(n_experts, dtype=torch.long)
        self.last_balance_loss = torch.tensor(0.0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        shape = x.shape
        tokens = x.reshape(-1, shape[-1])  # (N, C): routing is per token
        logits = self.router(tokens)
        weights, experts = top_k_routing(logits, self.k)  # (N, k) each
        self.last_balance_loss = load_balancing_loss(F.softmax(logits, dim=-1), experts)
        self.last_load = torch.bincount(experts.reshape(-1), minlength=self.n_experts).cpu()
        out = torch.zeros_like(tokens)
        for e, expert in enumerate(self.experts):
            token_ids, slot = torch.where(experts == e)  # the tokens that picked expert e
            if token_ids.numel():
                y = expert(tokens[token_ids]) * weights[token_ids, slot, None]
                out.index_add_(0, token_ids, y)
        return out.reshape(shape)


def moe_gpt(config: GPTConfig, n_experts: int, k: int) -> GPT:
    """A :class:`~course_utils.gpt.GPT` whose every block has an :class:`MoE` in place of its MLP."""
    check_top_k(k, n_experts)
    model = GPT(config)
    for block in model.transformer.h:
        block.mlp = MoE(config, n_experts, k)
        block.mlp.apply(GPT._init_weights)  # initialised like the GPT's own layers
        for expert in block.mlp.experts:
            nn.init.normal_(expert.c_proj.weight, std=0.02 / math.sqrt(2 * config.n_layer))
    return model


def moe_layers(model: nn.Module) -> list[MoE]:
    """The model's MoE layers, first block first (an error if it has none)."""
    layers = [m for m in model.modules() if isinstance(m, MoE)]
    if not layers:
        raise ValueError("this model has no MoE layer: build it with moe_gpt(config, n_experts, k)")
    return layers


def balance_loss(model: nn.Module) -> torch.Tensor:
    """The mean load-balancing loss of the model's MoE layers in its last forward pass."""
    layers = moe_layers(model)
    return torch.stack([m.last_balance_loss for m in layers]).mean()


def expert_load(model: nn.Module) -> torch.Tensor:
    """(layers, n_experts): the share of routing slots each expert got in the last forward pass."""
    loads = torch.stack([m.last_load for m in moe_layers(model)]).float()
    return loads / loads.sum(dim=1, keepdim=True)


@dataclass
class ParameterCount:
    """Parameters a model holds, and how many of them one token passes through."""

    total: int
    active: int

    @property
    def flops_per_token(self) -> int:
        """Forward-pass FLOPs per token, about 2 per active weight (a multiply and an add)."""
        return 2 * self.active


def parameter_counts(model: GPT) -> ParameterCount:
    """Total parameters and those active for one token (its ``k`` experts, not all of them)."""
    total = model.num_params()
    active = total
    for layer in (m for m in model.modules() if isinstance(m, MoE)):
        per_expert = sum(p.numel() for p in layer.experts[0].parameters())
        active -= (layer.n_experts - layer.k) * per_expert
    return ParameterCount(total=total, active=active)
