"""Outgoing message channels: the interface every provider implements, and the providers.

Only the SMS channel exists so far, with one provider: the local sink
(``TIDEOVER_SMS_PROVIDER=sink``), which development and tests read.  Real
providers implement :class:`SmsChannel` and are chosen by the same setting.
"""

from __future__ import annotations

from tideover.adapters.channels.sink import SINK_FILE, SinkSms, read_sink
from tideover.adapters.channels.sms import SmsChannel, SmsNotConfigured, sms_channel

__all__ = [
    "SINK_FILE",
    "SinkSms",
    "SmsChannel",
    "SmsNotConfigured",
    "read_sink",
    "sms_channel",
]
