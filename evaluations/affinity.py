"""Expertise affinity for Korean text: Kiwi morphemes (kiwipiepy, model shipped as a package) and
BM25 (bm25s) between each reviewer's expertise and each application's theme, summary and KPIs.

Text is tokenised when it is saved (reviewers: evaluations.services.save_reviewer; applications:
`application_tokens`, cached by the text's hash), so an assignment run only scores.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

# Content morphemes: nouns, roots, foreign words, numbers with letters (hanja, English terms).
KEEP_TAGS = ("NNG", "NNP", "SL", "SH", "XR", "VV", "VA")
KEYWORD_WEIGHT = 3  # a reviewer's own keywords count three times their free text


@lru_cache(maxsize=1)
def _kiwi():
    from kiwipiepy import Kiwi

    return Kiwi()


def tokens(text: str) -> list[str]:
    """Content morphemes of `text`, lower-cased (English terms match whatever their case)."""
    if not text or not text.strip():
        return []
    return [t.form.lower() for t in _kiwi().tokenize(text) if t.tag.startswith(KEEP_TAGS) and len(t.form) > 0]


def reviewer_tokens(keywords: str, text: str) -> list[str]:
    keyword_tokens = tokens(" ".join(k.strip() for k in keywords.split(",")))
    return keyword_tokens * KEYWORD_WEIGHT + tokens(text)


def application_text(application, kpi_labels: list[str]) -> str:
    return " ".join(
        [
            application.title,
            application.future_technology,
            application.key_industry,
            application.summary,
            *kpi_labels,
        ]
    )


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def affinity_matrix(app_tokens: list[list[str]], reviewer_tokens_: list[list[str]]):
    """scores[i][j] in [0, 1]: BM25 of application i's tokens as the query against reviewer j's
    expertise as the document, scaled by the row's best (so each application has a 1).

    bm25s builds the index (its term × reviewer weights, in CSC arrays); the sums are done here, one
    block per term over every application that has it, instead of one query at a time."""
    import bm25s
    import numpy as np

    n_apps, n_rev = len(app_tokens), len(reviewer_tokens_)
    out = np.zeros((n_apps, n_rev), dtype=np.float32)
    if not n_apps or not n_rev:
        return out
    corpus = [t if t else ["∅"] for t in reviewer_tokens_]
    retriever = bm25s.BM25()
    retriever.index(corpus, show_progress=False)
    vocab = retriever.vocab_dict
    data, indices, indptr = (retriever.scores[k] for k in ("data", "indices", "indptr"))
    apps_with: dict[int, list[int]] = {}
    for i, query in enumerate(app_tokens):
        for t in set(query):
            if (term := vocab.get(t)) is not None:
                apps_with.setdefault(term, []).append(i)
    for term, rows in apps_with.items():
        start, end = indptr[term], indptr[term + 1]
        if start < end:
            # Rows and reviewers are distinct within a term: a plain += adds each weight once.
            out[np.ix_(rows, indices[start:end])] += data[start:end].astype(np.float32, copy=False)
    best = out.max(axis=1)
    scored = best > 0
    out[scored] /= best[scored, None]
    return out
