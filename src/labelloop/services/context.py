"""The components one running labelloop uses: settings, database and media."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy.orm import Session

from labelloop.db.session import get_sessionmaker, migrate, session_scope
from labelloop.settings import Settings, apply_process_defaults, get_settings
from labelloop.storage.media import MediaStore


@dataclass
class Context:
    settings: Settings
    database_url: str
    media: MediaStore

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> Context:
        settings = settings or get_settings()
        apply_process_defaults(settings)
        return cls(
            settings=settings,
            database_url=settings.resolved_database_url,
            media=MediaStore(settings.media_root),
        )

    @contextmanager
    def session(self) -> Iterator[Session]:
        with session_scope(self.database_url) as session:
            yield session

    def new_session(self) -> Session:
        return get_sessionmaker(self.database_url)()

    def prepare(self) -> None:
        """Create the data folders and migrate the database."""
        self.settings.resolved_data_dir.mkdir(parents=True, exist_ok=True)
        self.media.root.mkdir(parents=True, exist_ok=True)
        migrate(self.database_url)
