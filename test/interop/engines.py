"""The other engines of the cross-engine suite, in one long-lived process.

Holds one SparkSession (Delta Lake) and the delta-rs package, and answers JSON requests, one per
line on stdin, with one JSON line each on the original stdout (everything else Spark or Python
prints goes to stderr, so the reply channel stays clean):

    {"id": 1, "op": "spark.read", "path": "/tmp/t", "version": 3}
    -> {"id": 1, "ok": true, "result": {"rows": [...], "version": 3}}

Rows come back in the encoding of test/support/canonical.ts (the corpus's canonical form): longs
and decimals as exact strings, dates YYYY-MM-DD, timestamps with microseconds (Z when zoned),
binary as hex, maps as [key, value] pairs. The test side sorts them.

`python3 engines.py --warm-up` starts Spark once so that the Delta jars are resolved into the Ivy
cache under $INTEROP_DIR, then exits (scripts/interop-setup.sh runs it).

`python3 engines.py --socket PATH` serves the same requests on a Unix socket, one connection per
test file, so that a whole run shares one warmed-up Spark session (scripts/run-interop.mjs starts
it); it prints {"ready": PATH} on stdout once Spark runs, and exits when its stdin closes.
"""

import base64
import datetime as dt
import decimal
import json
import math
import os
import sys
import time
import traceback

# Zoned timestamps: Spark's collect() turns them into naive local datetimes, delta-rs into UTC
# ones; with the process and the session in UTC both are the instant in UTC.
os.environ["TZ"] = "UTC"
time.tzset()

REPLY = os.fdopen(os.dup(1), "w", buffering=1)
os.dup2(2, 1)  # stray prints (and the JVM launcher) go to stderr, never into the reply channel
sys.stdout = sys.stderr

INTEROP_DIR = os.path.abspath(os.environ.get("INTEROP_DIR", ".interop"))
EPOCH = dt.datetime(1970, 1, 1)
EPOCH_DATE = dt.date(1970, 1, 1)

_spark = None


def delta_jars():
    """The Delta jars that setup resolved into the Ivy cache (empty before the first resolution)."""
    d = os.path.join(INTEROP_DIR, "ivy", "jars")
    return sorted(os.path.join(d, n) for n in os.listdir(d) if n.endswith(".jar")) if os.path.isdir(d) else []


def spark(resolve=False):
    """The shared session: small (local[2], 2 shuffle partitions, no UI), with Delta's extensions.

    The Delta jars go on the driver's class path (local mode: the driver runs the tasks), so no
    task fetches them from the driver's file server; `resolve` resolves them from Maven first.
    """
    global _spark
    if _spark is None:
        from pyspark.sql import SparkSession
        from delta import configure_spark_with_delta_pip

        builder = (
            SparkSession.builder.master("local[2]")
            .appName("deltalake-ts-interop")
            .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
            .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
            .config("spark.jars.ivy", os.path.join(INTEROP_DIR, "ivy"))
            .config("spark.sql.shuffle.partitions", "2")
            .config("spark.default.parallelism", "2")
            # Delta rebuilds each snapshot's state in a job of 50 partitions by default: far too many for tiny tables.
            .config("spark.databricks.delta.snapshotPartitions", "2")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.driver.memory", "1g")
            .config("spark.sql.warehouse.dir", os.path.join(INTEROP_DIR, "warehouse"))
            # C1 only: the suite is many small jobs of new shapes, where C2's compiling costs more
            # CPU than it wins back (measured on 2 cores: start, writes and reads 2 to 3 times faster).
            .config("spark.driver.extraJavaOptions",
                    "-XX:TieredStopAtLevel=1 -Dderby.system.home=" + os.path.join(INTEROP_DIR, "derby"))
            # Dates and timestamps before 1582 are proleptic Gregorian in Delta (as we write them):
            # read them as they are, not rebased from the hybrid Julian calendar.
            .config("spark.sql.parquet.datetimeRebaseModeInRead", "CORRECTED")
            .config("spark.sql.parquet.int96RebaseModeInRead", "CORRECTED")
            .config("spark.sql.parquet.datetimeRebaseModeInWrite", "CORRECTED")
            .config("spark.sql.parquet.int96RebaseModeInWrite", "CORRECTED")
            # Tests vacuum with a short retention on purpose.
            .config("spark.databricks.delta.retentionDurationCheck.enabled", "false")
        )
        if resolve:
            builder = configure_spark_with_delta_pip(builder)
        else:
            builder = builder.config("spark.driver.extraClassPath", ":".join(delta_jars()))
        _spark = builder.getOrCreate()
        _spark.sparkContext.setLogLevel("ERROR")
    return _spark


# ---- canonical encoding, driven by the Delta (= Spark) schema JSON --------------------------------

def canon(value, t):
    if value is None:
        return None
    if isinstance(t, dict):
        kind = t["type"]
        if kind == "struct":
            return {f["name"]: canon(value[f["name"]], f["type"]) for f in t["fields"]}
        if kind == "array":
            return [canon(v, t["elementType"]) for v in value]
        if kind == "map":
            pairs = value.items() if isinstance(value, dict) else value
            return [[canon(k, t["keyType"]), canon(v, t["valueType"])] for k, v in pairs]
        raise ValueError("unknown complex type " + kind)
    if t == "long":
        return str(int(value))
    if t in ("integer", "short", "byte"):
        return int(value)
    if t in ("float", "double"):
        v = float(value)
        if math.isnan(v):
            return "NaN"
        if math.isinf(v):
            return "Infinity" if v > 0 else "-Infinity"
        return v
    if t == "boolean":
        return bool(value)
    if t == "string":
        return str(value)
    if t == "binary":
        return bytes(value).hex()
    if t.startswith("decimal"):
        scale = int(t[t.index(",") + 1 : -1])
        q = decimal.Decimal(value).quantize(decimal.Decimal(1).scaleb(-scale), context=decimal.Context(prec=60))
        return format(q, "f")
    if t == "date":
        return value.isoformat()
    if t in ("timestamp", "timestamp_ntz"):
        return fmt_micros(micros(value)) + ("Z" if t == "timestamp" else "")
    raise ValueError("no canonical form for " + str(t))


def micros(value):
    if value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    d = value - EPOCH
    return (d.days * 86400 + d.seconds) * 1_000_000 + d.microseconds


def fmt_micros(us):
    secs, frac = divmod(us, 1_000_000)
    t = EPOCH + dt.timedelta(seconds=secs)
    return "%04d-%02d-%02dT%02d:%02d:%02d.%06d" % (t.year, t.month, t.day, t.hour, t.minute, t.second, frac)


def canon_rows(rows, schema_json, names=None):
    fields = [f for f in schema_json["fields"] if names is None or f["name"] in names]
    out = []
    for r in rows:
        get = r.get if isinstance(r, dict) else (lambda n, r=r: r[n])
        out.append({f["name"]: canon(get(f["name"]), f["type"]) for f in fields})
    return out


# ---- Spark ----------------------------------------------------------------------------------------

def spark_reader(req):
    r = spark().read.format("delta")
    if "version" in req:
        r = r.option("versionAsOf", req["version"])
    if "timestamp" in req:
        r = r.option("timestampAsOf", req["timestamp"])
    return r


def spark_read(req):
    df = spark_reader(req).load(req["path"])
    if req.get("where"):
        df = df.where(req["where"])
    schema = df.schema.jsonValue()
    return {"rows": canon_rows(df.collect(), schema), "schema": schema}


def spark_changes(req):
    r = spark().read.format("delta").option("readChangeFeed", "true").option("startingVersion", req["start"])
    if "end" in req:
        r = r.option("endingVersion", req["end"])
    df = r.load(req["path"])
    schema = df.schema.jsonValue()
    rows = canon_rows(df.collect(), schema)
    for row in rows:  # _commit_version is a long: keep it a plain number for the comparison
        row["_commit_version"] = int(row["_commit_version"])
        row.pop("_commit_timestamp", None)
    return {"rows": rows}


def spark_sql(req):
    df = spark().sql(req["sql"])
    rows = df.collect()
    return {"rows": [jsonable(r.asDict(recursive=True)) for r in rows]}


def spark_history(req):
    df = spark().sql("DESCRIBE HISTORY delta.`%s`" % req["path"])
    return {"history": [{"version": int(r["version"]), "operation": r["operation"],
                         "timestampMs": int(r["timestamp"].replace(tzinfo=dt.timezone.utc).timestamp() * 1000)}
                        for r in df.collect()]}


def spark_detail(req):
    r = spark().sql("DESCRIBE DETAIL delta.`%s`" % req["path"]).collect()[0].asDict(recursive=True)
    return {"detail": jsonable(r)}


# ---- delta-rs -------------------------------------------------------------------------------------

def rs_table(req):
    from deltalake import DeltaTable

    t = DeltaTable(req["path"])
    if "version" in req:
        t.load_as_version(req["version"])
    return t


def rs_read(req):
    t = rs_table(req)
    schema = json.loads(t.schema().to_json())
    data = t.to_pyarrow_table()
    return {"rows": canon_rows(data.to_pylist(), schema), "version": t.version()}


def rs_changes(req):
    t = rs_table({"path": req["path"]})
    kw = {"starting_version": req["start"]}
    if "end" in req:
        kw["ending_version"] = req["end"]
    import pyarrow as pa

    data = pa.table(t.load_cdf(**kw).read_all())  # an arro3 table: to pyarrow by the C stream interface
    schema = json.loads(t.schema().to_json())
    rows = canon_rows(data.to_pylist(), schema)
    for row, raw in zip(rows, data.to_pylist()):
        row["_change_type"] = raw["_change_type"]
        row["_commit_version"] = int(raw["_commit_version"])  # delta-rs gives an int32 here
    return {"rows": rows}


def rs_history(req):
    t = rs_table({"path": req["path"]})
    return {"history": [{"version": int(h["version"]), "operation": h.get("operation")} for h in t.history()],
            "version": t.version()}


# ---- run: a snippet for writes (Spark SQL scripts, delta-rs writers) -----------------------------

def run(req):
    import pyarrow as pa
    import deltalake

    scope = {"spark": spark if req.get("spark", True) else None, "pa": pa, "deltalake": deltalake,
             "dt": dt, "decimal": decimal, "args": req.get("args", {}), "result": None}
    exec(req["code"], scope)
    return {"result": jsonable(scope["result"])}


def jsonable(v):
    if isinstance(v, dict):
        return {str(k): jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [jsonable(x) for x in v]
    if isinstance(v, (dt.datetime, dt.date)):
        return v.isoformat()
    if isinstance(v, decimal.Decimal):
        return str(v)
    if isinstance(v, (bytes, bytearray)):
        return base64.b64encode(bytes(v)).decode()
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return str(v)
    return v


OPS = {
    "spark.read": spark_read, "spark.changes": spark_changes, "spark.sql": spark_sql,
    "spark.history": spark_history, "spark.detail": spark_detail,
    "rs.read": rs_read, "rs.changes": rs_changes, "rs.history": rs_history,
    "run": run, "ping": lambda req: {"pong": True},
}


def handle(request_lines, write_reply):
    """Answers each request line with one reply line, in order."""
    for line in request_lines:
        if not line.strip():
            continue
        req = json.loads(line)
        try:
            reply = {"id": req.get("id"), "ok": True, "result": OPS[req["op"]](req)}
        except Exception as e:  # the test side turns this into a failed assertion with the message
            reply = {"id": req.get("id"), "ok": False, "error": "%s: %s" % (type(e).__name__, e),
                     "trace": traceback.format_exc()[-4000:]}
        write_reply(json.dumps(reply) + "\n")


def serve_socket(sock_path):
    """One Spark session for a whole run: test files connect to the Unix socket `sock_path`, one
    connection each, answered one after another ON THE MAIN THREAD. Spark keeps the active session
    per thread: in another Python thread (its own JVM thread) SQLConf falls back to the defaults,
    so the Delta extensions, the catalog and the shuffle partitions set on the builder are lost.
    The test files run one at a time, so serving them in turn costs nothing. The process exits
    when its stdin closes (scripts/run-interop.mjs holds it), so it never outlives the run."""
    import socket
    import threading

    spark().range(1).count()  # start the session (and warm it up) before any test file connects
    if os.path.exists(sock_path):
        os.unlink(sock_path)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(sock_path)
    server.listen()

    def watch_stdin():  # touches no Spark state: it only ends the process when the runner is done
        sys.stdin.read()
        if os.path.exists(sock_path):
            os.unlink(sock_path)
        sys.stderr.flush()
        os._exit(0)

    threading.Thread(target=watch_stdin, daemon=True).start()
    REPLY.write(json.dumps({"ready": sock_path, "spark": spark().version}) + "\n")
    while True:
        conn, _ = server.accept()
        with conn, conn.makefile("r", encoding="utf-8") as rfile, conn.makefile("w", encoding="utf-8") as wfile:
            def reply(line, wfile=wfile):  # a socket file is not line-buffered: flush each reply
                wfile.write(line)
                wfile.flush()

            try:
                handle(rfile, reply)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the test file went away; its requests no longer matter


if __name__ == "__main__":
    if "--warm-up" in sys.argv:
        spark(resolve=True)  # resolves the jars into the Ivy cache; no job runs here
        print("spark", spark().version, "jars", delta_jars(), file=sys.stderr)
    elif "--socket" in sys.argv:
        serve_socket(sys.argv[sys.argv.index("--socket") + 1])  # returns never: ends with os._exit
    else:
        handle(sys.stdin, REPLY.write)
        # stdin closed: the test file is done. Exit now; the JVM ends when its parent's pipe closes.
        sys.stderr.flush()
        os._exit(0)
