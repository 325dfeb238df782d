"""The WebSocket client to the analysis service: its front door."""

from app.uplink.client import Uplink, UplinkConfig
from app.uplink.failures import AuthRejected, ConnectFailed, QuotaExhausted, UplinkFailure
from app.uplink.handshake import ProbeResult, probe
from app.uplink.replies import UplinkStats

__all__ = [
    "AuthRejected",
    "ConnectFailed",
    "ProbeResult",
    "QuotaExhausted",
    "Uplink",
    "UplinkConfig",
    "UplinkFailure",
    "UplinkStats",
    "probe",
]
