"""Specs: how a dataset is compared (``DatasetSpec``) and how a shadow run is set up (``RunSpec``)."""

from .dataset import DEFAULT_SAMPLES, DatasetSpec

__all__ = ["DEFAULT_SAMPLES", "DatasetSpec"]
