"""Scenario data generators: deterministic for a seed, with a stated generative process."""

from lossbook.datasets.ad_impressions import AdImpressions, make_ad_impressions
from lossbook.datasets.defect_sensors import DefectSensors, make_defect_sensors
from lossbook.datasets.delivery_times import DeliveryTimes, make_delivery_times
from lossbook.datasets.diagnostic_images import DiagnosticImages, make_diagnostic_images
from lossbook.datasets.energy_consumption import EnergyConsumption, household_features, make_energy_consumption
from lossbook.datasets.food_images import FoodImages, make_food_images
from lossbook.datasets.house_prices import HousePrices, make_house_prices
from lossbook.datasets.product_images import ProductImages, make_product_images, sample_pairs
from lossbook.datasets.spam_emails import SpamEmails, make_spam_emails
from lossbook.datasets.traffic_flow import TrafficFlow, make_traffic_flow, traffic_features

__all__ = [
    "AdImpressions", "make_ad_impressions",                                      # 06 log loss
    "DefectSensors", "make_defect_sensors",                                      # 04 hinge
    "DeliveryTimes", "make_delivery_times",                                      # 02 MAE
    "DiagnosticImages", "make_diagnostic_images",                                # 05 softmax CE, 08 focal
    "EnergyConsumption", "household_features", "make_energy_consumption",        # 09 MSLE
    "FoodImages", "make_food_images",                                            # 10 categorical CE
    "HousePrices", "make_house_prices",                                          # 01 MSE
    "ProductImages", "make_product_images", "sample_pairs",                      # 11 contrastive
    "SpamEmails", "make_spam_emails",                                            # 03 BCE
    "TrafficFlow", "make_traffic_flow", "traffic_features",                      # 07 Huber
]
