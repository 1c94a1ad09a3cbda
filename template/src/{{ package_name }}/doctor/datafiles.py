"""Data: data lives in DVC, not git, and the raw data stays as it was delivered.

git keeps every version of every file forever, in every clone; a data file committed
once makes every clone slower from then on. DVC keeps data in its cache and a remote,
and git only the small file that names its hash. Raw data is the one input nobody can
recompute: a stage may bring it in, but no stage that reads the project's data may
write there, or the pipeline's first input changes under it.

Read next: outcomes.py.
"""

from ..core.errors import ProjectError
from ..core.paths import DATA, INTERIM, RAW, SCHEMA
from .check import DATA_FILES, PASS, Verdict, check, fail, listing
from .project import Project
from .wiring import overlaps


@check(
    "DA001",
    "No large files in git: data and models belong in DVC",
    DATA_FILES,
    "data-flow.md",
    True,
)
def no_large_files(project: Project) -> Verdict:
    limit = project.settings.max_file_kilobytes
    large = []
    # `<mode> blob <hash> <size>\t<path>` for every file of the last commit
    for line in project.git_output("ls-tree", "-r", "-l", "-z", "HEAD").split("\0"):
        meta, _, path = line.partition("\t")
        size = meta.split()[-1] if meta else "-"
        # lock files pin versions, not data: they grow with the dependencies
        if size.isdigit() and int(size) > limit * 1024 and not path.endswith(".lock"):
            large.append(f"{path} ({int(size) / 1024:,.0f} KB)")
    if large:
        return fail(
            f"files above doctor.max_file_kilobytes ({limit} KB) in git: {listing(large)}. "
            "Track them with DVC instead: `git rm --cached PATH`, then `uv run dvc add PATH` "
            "(or make the file a stage's output), and commit"
        )
    return PASS


@check(
    "DA002",
    "Raw data is only read: no stage that reads data writes to data/raw",
    DATA_FILES,
    "data-flow.md",
    True,
)
def raw_data_is_input(project: Project) -> Verdict:
    from ..data.schema import load_schema

    # the raw file the contract names is data wherever it lies (`data adopt` may leave it
    # outside data/); the contract itself describes the data, and reading it is not reading data
    try:
        source = load_schema(project.root).source.path
    except ProjectError:
        source = None
    writers = []
    for name, stage in project.stages.items():
        writes_raw = any(overlaps(out, RAW) for out in stage.outs)
        reads_data = any(
            dep == source or (overlaps(dep, DATA) and dep != SCHEMA.as_posix())
            for dep in stage.deps
        )
        if writes_raw and reads_data:
            writers.append(name)
    if writers:
        return fail(
            f"stages that read the project's data also write to {RAW.as_posix()}/: "
            f"{listing(writers)}. Raw data is the input as delivered: write what you "
            f"derive from it to {INTERIM.as_posix()}/ or later folders"
        )
    return PASS
