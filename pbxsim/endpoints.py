"""Every OpenAPI endpoint the simulator serves, by HTTP method and path after /openapi/v1.0/."""

from pbxsim import api_actions as act
from pbxsim import api_auth as auth
from pbxsim import api_directory as conf
from pbxsim import api_live as live
from pbxsim.api_core import Endpoint

ENDPOINTS: dict[tuple[str, str], Endpoint] = {
    ("POST", "get_token"): Endpoint(auth.get_token, needs_token=False),
    ("POST", "refresh_token"): Endpoint(auth.refresh_token, needs_token=False),
    ("GET", "del_token"): Endpoint(auth.del_token),
    ("GET", "system/information"): Endpoint(conf.system_information),
    ("GET", "system/capacity"): Endpoint(conf.system_capacity),
    ("GET", "extension/list"): Endpoint(conf.extension_list),
    ("GET", "extension/search"): Endpoint(conf.extension_search),
    ("GET", "queue/list"): Endpoint(conf.queue_list),
    ("GET", "queue/get"): Endpoint(conf.queue_get),
    ("GET", "queue/query"): Endpoint(conf.queue_query),
    ("GET", "queue/search"): Endpoint(conf.queue_search),
    ("GET", "queue_pause_reason/list"): Endpoint(conf.pause_reason_list),
    ("POST", "queue_pause_reason/update"): Endpoint(conf.pause_reason_update),
    ("POST", "queue/honor_wrapup_time"): Endpoint(act.honor_wrapup_time),
    ("GET", "queue/call_status"): Endpoint(live.queue_call_status),
    ("GET", "queue/agent_status"): Endpoint(live.queue_agent_status),
    ("GET", "call/query"): Endpoint(live.call_query),
    ("GET", "cdr/list"): Endpoint(live.cdr_list),
    ("GET", "agent/login"): Endpoint(act.agent_login),
    ("GET", "agent/pause"): Endpoint(act.agent_pause),
    ("GET", "queue/agent_pause"): Endpoint(act.queue_agent_pause),
    ("GET", "queue/agent_login"): Endpoint(act.queue_agent_login),
    ("POST", "call/listen"): Endpoint(act.call_listen),
    ("POST", "call/hangup"): Endpoint(act.call_hangup),
    ("POST", "call/dial"): Endpoint(act.call_dial),
}
