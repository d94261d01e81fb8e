from django.apps import AppConfig

from clauses.core.pagecache import bump_network_version

# The apps whose rows the network's public pages and lookups show (#15).
NETWORK_APPS = frozenset({"network", "territories"})


def _bump_on_network_write(sender, **kwargs) -> None:  # noqa: ANN001 - signal receiver
    """Any write to the network, its coverage or its people (services, admin, shell) makes
    the cached public pages and lookups stale on every server (clauses.core.pagecache)."""
    if sender._meta.app_label in NETWORK_APPS:
        bump_network_version()


class NetworkConfig(AppConfig):
    name = "clauses.network"
    label = "network"
    verbose_name = "Réseau des facilitateurs"

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_delete, post_save

        for signal in (post_save, post_delete, m2m_changed):
            signal.connect(_bump_on_network_write, dispatch_uid=f"network-cache-{signal!r}")
