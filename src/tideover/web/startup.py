"""What the console refuses to start with outside demo mode: the demo's known accounts."""

from __future__ import annotations

from tideover.bootstrap import App
from tideover.domain.errors import ConfigurationError
from tideover.services.demo.people import DEMO_CREATOR


def refuse_unsafe_accounts(core: App) -> None:
    """Refuse demo accounts outside demo mode (the PII key is checked by the settings)."""
    if core.settings.mode == "demo":
        return
    with core.uow() as uow:
        for platform in uow.platforms.list():
            for user in uow.users(platform.code).list():
                if user.active and user.created_by == DEMO_CREATOR:
                    raise ConfigurationError(
                        f"platform {platform.code!r} has the demo's user {user.username!r}, whose "
                        "password is public; deactivate it before serving outside demo mode",
                        f"平台 {platform.code!r} 存在演示用户 {user.username!r}（其密码公开）；"
                        "在非演示模式下提供服务前请先停用",
                    )
