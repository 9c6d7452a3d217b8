"""Request and response bodies of the JSON API (pydantic; FastAPI shows them on /docs)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = ["Explanation", "ModelAnswer", "PredictRequest", "PredictResponse", "Prediction"]


class PredictRequest(BaseModel):
    """One text (``text``) or a batch (``texts``), optionally for some models only."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"text": "A moving, beautifully acted film.", "explain": 5},
                     {"texts": ["I loved every minute of it.", "Two hours I will never get back."],
                      "models": ["nbsvm", "fasttext"]}]})

    text: str | None = Field(None, description="one text to classify")
    texts: list[str] | None = Field(None, description="several texts to classify")
    models: list[str] | None = Field(None, description="the models to ask (default: every model served)")
    explain: int = Field(0, ge=0, le=50, description="the n-grams that pushed each linear model's prediction, "
                         "this many each way (0: none)")

    @field_validator("text")
    @classmethod
    def _text_not_blank(cls, text: str | None) -> str | None:
        if text is not None and not text.strip():
            raise ValueError("the text is empty; give the text to classify")
        return text

    @field_validator("texts")
    @classmethod
    def _texts_not_blank(cls, texts: list[str] | None) -> list[str] | None:
        if texts is not None:
            if not texts:
                raise ValueError("texts is an empty list; give at least one text")
            blank = [i for i, text in enumerate(texts) if not text.strip()]
            if blank:
                raise ValueError(f"texts {blank[:10]} are empty; every text must have some words")
        return texts

    @model_validator(mode="after")
    def _one_of_text_or_texts(self) -> PredictRequest:
        if (self.text is None) == (self.texts is None):
            raise ValueError("give either 'text' (one text) or 'texts' (a list), not both and not neither")
        return self

    @property
    def all_texts(self) -> list[str]:
        return [self.text] if self.text is not None else list(self.texts or [])


class Explanation(BaseModel):
    """The n-grams that pushed a linear model's prediction, with their contributions to its decision value."""

    toward: list[tuple[str, float]]
    against: list[tuple[str, float]]


class Prediction(BaseModel):
    """One model's answer for one text."""

    label: Any
    probability: float | None = Field(None, description="probability of the label (None: the model gives none)")
    score: float | None = Field(None, description="the model's margin or log-odds")
    explanation: Explanation | None = Field(None, description="linear models only, when asked")


class ModelAnswer(BaseModel):
    """One model's answers for every text of the request, or why it failed (status 500 for this entry only)."""

    model: str
    status: int = 200
    predictions: list[Prediction] | None = None
    error: str | None = None
    test_accuracy: float | None = None


class PredictResponse(BaseModel):
    """Per model, the answers in the order of the request's texts."""

    n_texts: int
    answers: list[ModelAnswer]
