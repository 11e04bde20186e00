"""From a pre-trained language model to a chat model, at toy scale: SFT, a reward model, RLHF, DPO.

A pre-trained GPT continues text. Making it answer in a format, and answer the way people
prefer, takes three more stages, each a few lines here (chapter 13 runs them on the shipped
character GPT):

1. **Supervised fine-tuning (SFT)**: train on prompt/response examples written in a chat
   format (:func:`chat_text`), with the loss on the response only (:func:`sft_loss`).
2. **A reward model** learned from *preference pairs*: two responses to the same prompt, one
   marked better. The Bradley–Terry loss ``-log σ(r(chosen) − r(rejected))``
   (:func:`preference_loss`) teaches a score ``r`` that ranks them the same way.
3. **RLHF**: the policy samples responses, the reward model scores them, and a policy-gradient
   step (:func:`rlhf_step`, REINFORCE with a batch-mean baseline) makes high-scoring responses
   likelier, while a KL penalty ``β·(log π(y) − log π_ref(y))`` keeps it close to the SFT model.
   Without the penalty the policy finds what the reward model over-rates (reward hacking).

**DPO** (:func:`dpo_loss`) skips the reward model and the sampling: it trains the policy on the
same preference pairs directly, with a loss whose optimum is the KL-penalised RLHF optimum.

The reward model here is deliberately tiny, a learned score per character averaged over the
response (:class:`CharRewardModel`), so its weights can be read; real reward models are a
copy of the language model with a scalar head.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

from course_utils.gpt import GPT, CharTokenizer
from course_utils.validate import check_number, check_whole

PROMPT_TAG, REPLY_TAG = "Q: ", "A: "
IGNORE = -1  # target id of positions that carry no loss (the prompt, the padding)


# --- the chat format and supervised fine-tuning ---------------------------------------------


def chat_prompt(question: str) -> str:
    """The text the model sees before it answers: ``"Q: <question>\\nA: "``."""
    if not isinstance(question, str):
        raise TypeError(f"chat_prompt: the question must be text, got {type(question).__name__}")
    return f"{PROMPT_TAG}{question}\n{REPLY_TAG}"


def chat_text(question: str, reply: str) -> str:
    """One training example in the chat format: the prompt, the reply and a closing newline."""
    if not isinstance(reply, str):
        raise TypeError(f"chat_text: the reply must be text, got {type(reply).__name__}")
    return chat_prompt(question) + reply + "\n"


def dialogue_pairs(text: str, max_chars: int = 60) -> list[tuple[str, str]]:
    """``(line, answer)`` pairs from a play: the first line of a speech and of the next speech.

    Speeches are blocks separated by a blank line, each ``SPEAKER:`` then the lines spoken;
    a pair is kept when both lines hold at most ``max_chars`` characters.
    """
    if not isinstance(text, str):
        raise TypeError(f"dialogue_pairs needs the play as text, got {type(text).__name__}")
    max_chars = check_whole(max_chars, "dialogue_pairs", "max_chars", minimum=1)
    firsts = []
    for block in text.split("\n\n"):
        lines = block.strip("\n").split("\n")
        firsts.append(lines[1].strip() if len(lines) >= 2 and lines[0].endswith(":") else None)
    return [(a, b) for a, b in zip(firsts, firsts[1:], strict=False)
            if a and b and len(a) <= max_chars and len(b) <= max_chars]


def check_same_vocabulary(tokenizer: CharTokenizer, model: GPT, what: str = "the model") -> None:
    """Raise a ``ValueError`` a learner understands when ``model`` was trained on other characters.

    Every model in this pipeline (policy, reference, the data's tokenizer) must share one
    vocabulary: id 7 must mean the same character to all of them.
    """
    if not isinstance(model, GPT):
        raise TypeError(f"{what} must be a course_utils.gpt.GPT, got {type(model).__name__}")
    if model.config.vocab_size != tokenizer.vocab_size:
        raise ValueError(f"{what} was trained with another vocabulary: it knows "
                         f"{model.config.vocab_size} token ids, the tokenizer has "
                         f"{tokenizer.vocab_size} characters. Fine-tune a checkpoint trained on "
                         f"the same characters (load it together with its own tokenizer).")


def sft_batch(tokenizer: CharTokenizer, pairs: Sequence[tuple[str, str]],
              ) -> tuple[torch.Tensor, torch.Tensor]:
    """Inputs and targets (B, T) for chat examples; targets are ``IGNORE`` except on the reply.

    Examples are padded with newlines to the longest; only the reply and its closing newline
    carry a loss, so the model learns to answer, not to write questions.
    """
    if not pairs:
        raise ValueError("sft_batch needs at least one (question, reply) pair")
    texts = [chat_text(q, r) for q, r in pairs]
    width = max(len(t) for t in texts)
    inputs, targets = [], []
    for (q, _), text in zip(pairs, texts, strict=True):
        ids = tokenizer.encode(text + "\n" * (width + 1 - len(text)))
        target = ids[1:]
        start = len(chat_prompt(q)) - 1  # target i is the character at i + 1
        end = len(text) - 1
        target = [IGNORE] * start + target[start:end] + [IGNORE] * (width - end)
        inputs.append(ids[:-1])
        targets.append(target)
    return torch.tensor(inputs), torch.tensor(targets)


def sft_loss(model: GPT, inputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Mean next-character cross-entropy over the positions whose target is not ``IGNORE``."""
    logits, _ = model(inputs)
    return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1), ignore_index=IGNORE)


# --- log-probabilities of responses ----------------------------------------------------------


def response_logprobs(model: GPT, prompts: torch.Tensor, responses: torch.Tensor) -> torch.Tensor:
    """log π(response | prompt) per token, shape (B, L): prompts (B, P), responses (B, L) ids."""
    if prompts.dim() != 2 or responses.dim() != 2 or prompts.size(0) != responses.size(0):
        raise ValueError(f"prompts (B, P) and responses (B, L) must have the same batch size, got "
                         f"{tuple(prompts.shape)} and {tuple(responses.shape)}")
    ids = torch.cat([prompts, responses], dim=1)
    logits, _ = model(ids[:, :-1])
    logp = F.log_softmax(logits[:, prompts.size(1) - 1:].float(), dim=-1)
    return logp.gather(-1, responses.unsqueeze(-1)).squeeze(-1)


@torch.no_grad()
def sample_responses(model: GPT, prompts: torch.Tensor, length: int,
                     generator: torch.Generator, temperature: float = 1.0) -> torch.Tensor:
    """``length`` sampled ids (B, length) continuing each prompt, with the KV cache."""
    length = check_whole(length, "sample_responses", "length", minimum=1)
    if prompts.size(1) + length > model.config.block_size:
        raise ValueError(f"prompt ({prompts.size(1)}) + response ({length}) characters do not fit "
                         f"the block of {model.config.block_size}")
    was_training = model.training
    model.eval()
    caches = model.make_caches(prompts.size(0))
    logits, _ = model(prompts, caches=caches, last_only=True)
    out = []
    for _ in range(length):
        probs = F.softmax(logits[:, -1].float() / temperature, dim=-1)
        nxt = torch.multinomial(probs, 1, generator=generator)
        out.append(nxt)
        if len(out) < length:
            logits, _ = model(nxt, caches=caches)
    model.train(was_training)
    return torch.cat(out, dim=1)


# --- preference pairs and the reward model ---------------------------------------------------


def check_pairs(chosen: torch.Tensor, rejected: torch.Tensor) -> None:
    """Preference pairs must be token ids of the same shape: (pairs, length) each."""
    for name, t in (("chosen", chosen), ("rejected", rejected)):
        if not isinstance(t, torch.Tensor) or t.dim() != 2:
            raise ValueError(f"{name} must be a (pairs, length) tensor of token ids, got "
                             f"{getattr(t, 'shape', type(t).__name__)}")
    if chosen.shape != rejected.shape:
        if chosen.size(0) != rejected.size(0):
            raise ValueError(f"{chosen.size(0)} chosen but {rejected.size(0)} rejected responses: "
                             f"each preference pair needs one of each")
        raise ValueError(f"preference pairs of unequal length: chosen responses have "
                         f"{chosen.size(1)} tokens, rejected ones {rejected.size(1)}. Compare "
                         f"responses of the same length (sample or crop both to one length), "
                         f"or the longer one wins or loses for its length alone.")


def label_pairs(a: torch.Tensor, b: torch.Tensor, score: Callable[[torch.Tensor], torch.Tensor],
                ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Turn two samples per prompt into preference pairs by a rule: the higher ``score`` wins.

    Returns ``(chosen, rejected, kept)``: ties are dropped; ``kept`` says which rows stayed.
    """
    check_pairs(a, b)
    sa, sb = score(a), score(b)
    kept = sa != sb
    a_wins = (sa > sb).unsqueeze(1)
    chosen = torch.where(a_wins, a, b)[kept]
    rejected = torch.where(a_wins, b, a)[kept]
    return chosen, rejected, kept


class CharRewardModel(nn.Module):
    """The smallest reward model: a learned score per character, averaged over the response."""

    def __init__(self, vocab_size: int) -> None:
        super().__init__()
        vocab_size = check_whole(vocab_size, "CharRewardModel", "vocab_size", minimum=1)
        self.score = nn.Embedding(vocab_size, 1)
        nn.init.zeros_(self.score.weight)

    def forward(self, responses: torch.Tensor) -> torch.Tensor:
        """Reward per response (B,) for token ids (B, L)."""
        if responses.dim() != 2:
            raise ValueError(f"responses must be (batch, length) ids, got {tuple(responses.shape)}")
        if int(responses.max()) >= self.score.num_embeddings or int(responses.min()) < 0:
            raise ValueError(f"a response holds ids outside 0..{self.score.num_embeddings - 1}: "
                             f"the reward model was built for another vocabulary")
        return self.score(responses).squeeze(-1).mean(dim=1) * 10  # ×10: rewards of order 1


def preference_loss(reward_model: nn.Module, chosen: torch.Tensor,
                    rejected: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Bradley–Terry loss ``-log σ(r(chosen) − r(rejected))`` and the accuracy (share ranked right)."""
    check_pairs(chosen, rejected)
    margin = reward_model(chosen) - reward_model(rejected)
    return -F.logsigmoid(margin).mean(), (margin > 0).float().mean()


# --- RLHF with a KL penalty, and DPO ---------------------------------------------------------


@dataclass
class RLStep:
    """What one policy update saw: the mean reward and the mean KL to the reference (nats)."""

    reward: float
    kl: float
    objective: float


def rlhf_step(policy: GPT, reference: GPT, reward_model: nn.Module, prompts: torch.Tensor,
              length: int, optimizer: torch.optim.Optimizer, kl_coef: float,
              generator: torch.Generator) -> RLStep:
    """One REINFORCE step on ``reward − kl_coef · KL(policy ‖ reference)`` for a batch of prompts.

    Sample a response per prompt, score it, estimate its KL as ``Σ log π(y) − log π_ref(y)``
    over its tokens, and push up the log-probability of the responses that beat the batch mean.
    """
    kl_coef = check_number(kl_coef, "rlhf_step", "kl_coef")
    if kl_coef < 0:
        raise ValueError(f"rlhf_step: kl_coef must be 0 or more, got {kl_coef}")
    if policy.config.vocab_size != reference.config.vocab_size:
        raise ValueError(f"the reference model was trained with another vocabulary "
                         f"({reference.config.vocab_size} ids vs the policy's "
                         f"{policy.config.vocab_size}): the KL between them means nothing")
    responses = sample_responses(policy, prompts, length, generator)
    # Dropout stays off: the log-probabilities pushed up and the KL estimate must be those of
    # the policy that sampled the responses, not of a randomly thinned copy of it.
    policy.eval()
    logp = response_logprobs(policy, prompts, responses)
    with torch.no_grad():
        ref_logp = response_logprobs(reference, prompts, responses)
        reward = reward_model(responses)
        kl = (logp.detach() - ref_logp).sum(dim=1)
        objective = reward - kl_coef * kl
        advantage = objective - objective.mean()
    loss = -(advantage * logp.sum(dim=1)).mean()
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(policy.parameters(), 1.0)
    optimizer.step()
    return RLStep(float(reward.mean()), float(kl.mean()), float(objective.mean()))


def dpo_loss(policy: GPT, reference: GPT, prompts: torch.Tensor, chosen: torch.Tensor,
             rejected: torch.Tensor, beta: float = 0.1) -> torch.Tensor:
    """Direct preference optimisation: ``-log σ(β·[(log π − log π_ref)(chosen) − (…)(rejected)])``.

    The policy is pushed to raise the chosen response's probability *relative to the
    reference* more than the rejected one's; ``beta`` plays the role of RLHF's KL coefficient.
    """
    check_pairs(chosen, rejected)
    beta = check_number(beta, "dpo_loss", "beta")
    if beta <= 0:
        raise ValueError(f"dpo_loss: beta must be positive, got {beta}")
    if policy.config.vocab_size != reference.config.vocab_size:
        raise ValueError(f"the reference model was trained with another vocabulary "
                         f"({reference.config.vocab_size} ids vs the policy's "
                         f"{policy.config.vocab_size})")
    logp_c = response_logprobs(policy, prompts, chosen).sum(1)
    logp_r = response_logprobs(policy, prompts, rejected).sum(1)
    with torch.no_grad():
        ref_c = response_logprobs(reference, prompts, chosen).sum(1)
        ref_r = response_logprobs(reference, prompts, rejected).sum(1)
    return -F.logsigmoid(beta * ((logp_c - ref_c) - (logp_r - ref_r))).mean()
