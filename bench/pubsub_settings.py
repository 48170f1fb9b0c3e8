"""The product's settings with channels_redis's pub/sub layer, to measure that lever."""

from wallboard.settings import *  # noqa: F403
from wallboard.settings import REDIS_URL

# One PUBLISH per group_send; each web process fans out to its own sockets in memory, instead
# of one copy per screen through Redis as the core layer does.
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
        "CONFIG": {"hosts": [REDIS_URL]},
    }
}
