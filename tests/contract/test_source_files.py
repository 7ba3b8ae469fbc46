"""The source contract (tests/contract/source_contract.py) for an ICS file and a vdir folder."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.contract.source_contract import SourceContract
from tests.fakes.contract_data import Dataset, datasets, vdir_files

NO_SERVER = "a file on this machine has no server"
FILE_LACKS = {"auth": "a file has no login", "server": NO_SERVER, "timeout": NO_SERVER,
              "cut": NO_SERVER}


@dataclass
class Files:
    """Each dataset as an .ics file, or as a folder of one .ics per UID (vdir)."""

    root: Path
    folders: bool
    env: dict[str, str] = field(default_factory=dict)

    def uri(self, dataset: Dataset) -> str:
        return str(self.root / (dataset.name if self.folders else f"{dataset.name}.ics"))

    def config(self) -> str:
        return ""

    def missing(self) -> str:
        return str(self.root / ("no-such-folder" if self.folders else "no-such-file.ics"))

    def fault(self, kind: str):
        raise AssertionError(f"a file has no {kind} fault")


def write(root: Path, *, folders: bool) -> Files:
    for dataset in datasets().values():
        if not folders:
            (root / f"{dataset.name}.ics").write_bytes(dataset.ics)
            continue
        folder = root / dataset.name
        folder.mkdir()
        for name, data in vdir_files(dataset.ics).items():
            (folder / name).write_bytes(data)
    return Files(root, folders)


@pytest.fixture(scope="module")
def ics_files(tmp_path_factory) -> Files:
    return write(tmp_path_factory.mktemp("files"), folders=False)


@pytest.fixture(scope="module")
def vdir_folders(tmp_path_factory) -> Files:
    return write(tmp_path_factory.mktemp("vdirs"), folders=True)


class TestIcsFileSource(SourceContract):
    missing_exit = 2
    lacks = FILE_LACKS

    @pytest.fixture
    def backend(self, ics_files):
        return ics_files


class TestVdirSource(SourceContract):
    missing_exit = 2
    lacks = FILE_LACKS

    @pytest.fixture
    def backend(self, vdir_folders):
        return vdir_folders
