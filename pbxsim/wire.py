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

ERRMSG = {
    FAILURE: "FAILURE",
    SUCCESS: "SUCCESS",
    INTERFACE_NOT_EXISTED: "INTERFACE NOT EXISTED",
    TOKEN_EXPIRED: "TOKEN EXPIRED",
    PARAMETER_SYNTAX_ERROR: "PARAMETER SYNTAX ERROR",
    PARAMETER_ERROR: "PARAMETER ERROR",
    DATA_NOT_FOUND: "DATA NOT FOUND",
    MAX_LIMITATION_EXCEEDED: "MAX LIMITATION EXCEEDED",
    ACCOUNT_IP_BLOCKED: "ACCOUNT IP BLOCKED",
}


def envelope(errcode: int, **fields: Any) -> JsonObj:
    """Build `{"errcode", "errmsg", ...fields}`, the shape of every OpenAPI reply."""
    return {"errcode": errcode, "errmsg": ERRMSG[errcode], **fields}


class ApiError(Exception):
    """A request failed with an OpenAPI errcode (the HTTP status stays 200)."""

    def __init__(self, errcode: int, invalid_params: list[JsonObj] | None = None) -> None:
        super().__init__(ERRMSG[errcode])
        self.errcode = errcode
        self.invalid_params = invalid_params

    def body(self) -> JsonObj:
        """The JSON reply for this error."""
        if self.invalid_params is None:
            return envelope(self.errcode)
        return envelope(self.errcode, invalid_param_list=self.invalid_params)


def required(field: str) -> ApiError:
    """40002 for a missing parameter, in the documented `validation_type` form."""
    return ApiError(PARAMETER_ERROR, [{"field": field, "validation_type": "required"}])


def invalid(field: str, value: str) -> ApiError:
    """40002 for a parameter whose value is unusable."""
    return ApiError(PARAMETER_ERROR, [{"field": field, "value": value}])
