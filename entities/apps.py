from django.apps import AppConfig


class EntitiesConfig(AppConfig):
    name = "entities"
    verbose_name = "Entities"

    def ready(self) -> None:
        from entities import signals  # noqa: F401 (connects the receivers)
