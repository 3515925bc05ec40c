"""Scenario data generators: deterministic for a seed, with a stated generative process."""

from lossbook.datasets.house_prices import HousePrices, make_house_prices

__all__ = ["HousePrices", "make_house_prices"]
