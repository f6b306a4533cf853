"""The Scrapy side of newswatch: spider, item, item pipelines, extraction, settings."""
