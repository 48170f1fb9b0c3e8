"""The product's settings with the textbook channel layer: channels_redis core, its defaults."""

from wallboard.settings import *  # noqa: F403
from wallboard.settings import REDIS_URL

CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {"hosts": [REDIS_URL]},
    }
}
