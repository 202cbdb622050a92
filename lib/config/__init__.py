"""Settings from the environment, the plans file and the IP pool: the only reader of os.environ."""
from lib.config.features import feature_report
from lib.config.parsers import ConfigError
from lib.config.settings import Settings, load_settings, logging_settings

__all__ = ["ConfigError", "Settings", "load_settings", "logging_settings", "feature_report"]
