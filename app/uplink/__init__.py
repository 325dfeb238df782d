"""The WebSocket client to the analysis service: its front door."""

from app.uplink.client import Uplink
from app.uplink.config import UplinkConfig
from app.uplink.failures import AuthRejected, ConnectFailed, QuotaExhausted, ServerBusy, UplinkFailure
from app.uplink.handshake import ProbeResult, probe
from app.uplink.replies import UplinkStats

__all__ = [
    "AuthRejected",
    "ConnectFailed",
    "ProbeResult",
    "QuotaExhausted",
    "ServerBusy",
    "Uplink",
    "UplinkConfig",
    "UplinkFailure",
    "UplinkStats",
    "probe",
]
