"""OpenAPI error codes, the JSON envelope every response uses, and the error that carries it."""

from typing import Any

JsonObj = dict[str, Any]

FAILURE = -1
SUCCESS = 0
INTERFACE_NOT_EXISTED = 10001
TOKEN_EXPIRED = 10004
PARAMETER_SYNTAX_ERROR = 40001
PARAMETER_ERROR = 40002
DATA_NOT_FOUND = 60001
MAX_LIMITATION_EXCEEDED = 60002
ACCOUNT_IP_BLOCKED = 70004
CHANNEL_NOT_FOUND = 70130

# The documented table (reference §2.6); the fault injector may answer any of these.
ERRMSG = {
    -2: "INTERNAL SERVER ERROR",
    FAILURE: "FAILURE",
    SUCCESS: "SUCCESS",
    1: "PARTIAL SUCCESS",
    2: "PROCESSING",
    INTERFACE_NOT_EXISTED: "INTERFACE NOT EXISTED",
    10002: "API VERSION OUT OF MAINTENANCE",
    10003: "API VERSION UNSUPPORTED",
    TOKEN_EXPIRED: "TOKEN EXPIRED",
    10005: "ACCESS DENIED",
    10009: "OPERATION FAILED",
    PARAMETER_SYNTAX_ERROR: "PARAMETER SYNTAX ERROR",
    PARAMETER_ERROR: "PARAMETER ERROR",
    40003: "DUPLICATE KEY VALUE",
    40004: "FILE SIZE EXCEEDED",
    DATA_NOT_FOUND: "DATA NOT FOUND",
    MAX_LIMITATION_EXCEEDED: "MAX LIMITATION EXCEEDED",
    60101: "ROLE NOT EXISTED",
    ACCOUNT_IP_BLOCKED: "ACCOUNT IP BLOCKED",
    70082: "OVERLOAD_TASK_RUNNING",
    70084: "ACTION FORBIDDEN",
    70087: "IP FORBIDDEN",
    70091: "CONNECTION_RELATION_EXISTED",
    70093: "PHONEBOOK_NOT_EXISTED",
    70106: "RATE_NOT_EXISTED",
    70120: "ORGANIZATION DISABLED",
    70123: "API UNAVAILABLE",
    70128: "CONTACTS_NOT_EXISTED",
    # (sic): the typo is the PBX's own.
    CHANNEL_NOT_FOUND: "CAHNNEL ID NOT FOUND",
    70132: "OPERATION NOT SUPPORTED",
    70510: "MAX PARTICIPANTS EXCEEDED",
    70514: "TRUNK NOT AVAILABLE",
    70515: "TRUNK NOT EXISTED",
}


def envelope(errcode: int, **fields: Any) -> JsonObj:
    """Build `{"errcode", "errmsg", ...fields}`, the shape of every OpenAPI reply."""
    return {"errcode": errcode, "errmsg": ERRMSG[errcode], **fields}


class ApiError(Exception):
    """A request failed with an OpenAPI errcode (the HTTP status stays 200)."""

    def __init__(
        self,
        errcode: int,
        invalid_params: list[JsonObj] | None = None,
        errmsg: str | None = None,
    ) -> None:
        # `errmsg` only for injected codes beyond the documented table.
        self.errmsg = ERRMSG[errcode] if errmsg is None else errmsg
        super().__init__(self.errmsg)
        self.errcode = errcode
        self.invalid_params = invalid_params

    def body(self) -> JsonObj:
        """The JSON reply for this error."""
        body: JsonObj = {"errcode": self.errcode, "errmsg": self.errmsg}
        if self.invalid_params is not None:
            body["invalid_param_list"] = self.invalid_params
        return body


def required(field: str) -> ApiError:
    """40002 for a missing parameter, in the documented `validation_type` form."""
    return ApiError(PARAMETER_ERROR, [{"field": field, "validation_type": "required"}])


def invalid(field: str, value: str) -> ApiError:
    """40002 for a parameter whose value is unusable."""
    return ApiError(PARAMETER_ERROR, [{"field": field, "value": value}])
