#!/usr/bin/env bash
# A throw-away S3 server for the tests: single-node Ceph (one mon, one memstore OSD, radosgw) on
# 127.0.0.1. Ceph RGW is the S3 server available here that enforces `If-None-Match: *` on PutObject
# atomically (see ../shared/S3-TEST-SERVER.md); no systemd, no Docker. Needs root for `install`.
#
#   scripts/s3-server.sh install      install radosgw, ceph-mon, ceph-osd from Debian (no-op when present)
#   scripts/s3-server.sh start DIR    start a cluster whose files live in DIR; prints the endpoint
#   scripts/s3-server.sh stop DIR     kill it and remove DIR
#
# Environment: S3_PORT (7480), MON_PORT (3300), S3_BUCKET (test-bucket).
# Credentials: access key "test", secret "testsecret", region us-east-1.
set -euo pipefail

cmd=${1:-}
dir=${2:-}
s3_port=${S3_PORT:-7480}
mon_port=${MON_PORT:-3300}
bucket=${S3_BUCKET:-test-bucket}

usage() { echo "usage: $0 install | start DIR | stop DIR" >&2; exit 2; }

# A signed request to the S3 endpoint (curl --aws-sigv4 needs the payload hash header for RGW).
s3_curl() {
  curl -fsS --aws-sigv4 "aws:amz:us-east-1:s3" --user test:testsecret \
    -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" "$@"
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

install() {
  if command -v radosgw >/dev/null && command -v ceph-mon >/dev/null && command -v ceph-osd >/dev/null \
    && command -v curl >/dev/null; then
    return 0
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    radosgw ceph-mon ceph-osd curl >/dev/null
}

write_config() {
  local fsid=$1
  cat > "$dir/ceph.conf" <<EOF
[global]
fsid = $fsid
mon host = [v2:127.0.0.1:$mon_port]
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind ipv6 = false
auth cluster required = none
auth service required = none
auth client required = none
# With auth "none", the default "secure" mode makes radosgw hang at start (auth error -13).
ms mon client mode = crc secure
ms client mode = crc secure
ms service mode = crc secure
ms cluster mode = crc secure
run dir = $dir/run
admin socket = $dir/run/\$name.asok
pid file = $dir/run/\$name.pid
log file = $dir/log/\$name.log
mon data = $dir/mon.\$id
osd data = $dir/osd.\$id
osd objectstore = memstore
memstore device bytes = 2147483648
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd crush chooseleaf type = 0
mon allow pool size one = true
mon warn on pool no redundancy = false
mon max pg per osd = 1000
client mount timeout = 60
[client.rgw.a]
# tcp_nodelay: without it every GET/LIST answer waits ~40 ms (Nagle against the client's delayed ACK).
rgw frontends = beast endpoint=127.0.0.1:$s3_port tcp_nodelay=1
rgw enable usage log = false
EOF
}

start() {
  [ -n "$dir" ] || usage
  for p in "$mon_port" "$s3_port"; do
    if port_in_use "$p"; then echo "s3-server: port $p is already in use (a cluster left running?)" >&2; exit 1; fi
  done
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  mkdir -p "$dir/mon.a" "$dir/osd.0" "$dir/run" "$dir/log"
  local fsid osd_uuid conf=$dir/ceph.conf
  fsid=$(cat /proc/sys/kernel/random/uuid)
  write_config "$fsid"

  monmaptool --create --fsid "$fsid" --addv a "[v2:127.0.0.1:$mon_port]" "$dir/monmap" >/dev/null
  ceph-authtool --create-keyring "$dir/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
  ceph-mon -c "$conf" --mkfs -i a --monmap "$dir/monmap" --keyring "$dir/keyring"
  ceph-mon -c "$conf" -i a
  osd_uuid=$(cat /proc/sys/kernel/random/uuid)
  ceph -c "$conf" osd new "$osd_uuid" >/dev/null
  ceph-osd -c "$conf" -i 0 --mkfs --osd-uuid "$osd_uuid" 2>>"$dir/log/osd-mkfs.log"
  ceph-osd -c "$conf" -i 0 2>>"$dir/log/osd-start.log"
  radosgw -c "$conf" -n client.rgw.a

  local ready=""
  for _ in $(seq 1 240); do
    if curl -fs -o /dev/null "http://127.0.0.1:$s3_port/"; then ready=1; break; fi
    sleep 0.5
  done
  [ -n "$ready" ] || { echo "s3-server: radosgw did not answer on port $s3_port (logs in $dir/log)" >&2; exit 1; }

  radosgw-admin -c "$conf" user create --uid=test --display-name=test \
    --access-key=test --secret-key=testsecret >/dev/null
  s3_curl -X PUT "http://127.0.0.1:$s3_port/$bucket" -o /dev/null
  # The first write creates RGW's data pool (~2 s); do it here rather than in the first test.
  s3_curl -X PUT --data-binary warmup "http://127.0.0.1:$s3_port/$bucket/.warmup" -o /dev/null
  s3_curl -X DELETE "http://127.0.0.1:$s3_port/$bucket/.warmup" -o /dev/null
  echo "S3 ready: endpoint http://127.0.0.1:$s3_port bucket $bucket (key test / secret testsecret)"
}

stop() {
  [ -n "$dir" ] || usage
  [ -d "$dir/run" ] || exit 0
  local pids
  pids=$(cat "$dir"/run/*.pid 2>/dev/null || true)
  # The data is throw-away: SIGKILL (SIGTERM makes the OSD unmount for ~7 s).
  if [ -n "$pids" ]; then
    kill -9 $pids 2>/dev/null || true
    for p in $pids; do while kill -0 "$p" 2>/dev/null; do sleep 0.1; done; done
  fi
  rm -rf "$dir"
}

case "$cmd" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  *) usage ;;
esac
