# Shared by bin/start and bin/manage: the environment of a local install. Values already set in
# the environment win; a local install gets its own secret key, kept beside its database.
export UNDERSIGNED_DATA_DIR="${UNDERSIGNED_DATA_DIR:-$PWD/var}"
mkdir -p "$UNDERSIGNED_DATA_DIR"
if [ -z "${UNDERSIGNED_SECRET_KEY:-}" ]; then
  key_file="$UNDERSIGNED_DATA_DIR/secret_key"
  if [ ! -s "$key_file" ]; then
    (umask 077 && .venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))' >"$key_file")
  fi
  UNDERSIGNED_SECRET_KEY=$(cat "$key_file")
  export UNDERSIGNED_SECRET_KEY
fi
# The address bin/start serves on; links in emails point there unless UNDERSIGNED_BASE_URL says
# otherwise (a server's own name, behind a proxy). A wildcard bind is reached on loopback.
export UNDERSIGNED_BIND="${UNDERSIGNED_BIND:-127.0.0.1:8000}"
bind_host="${UNDERSIGNED_BIND%:*}"
bind_port="${UNDERSIGNED_BIND##*:}"
case "$bind_host" in
  "" | 0.0.0.0) bind_host=127.0.0.1 ;;
  "[::]") bind_host="[::1]" ;;
esac
case "$UNDERSIGNED_BIND" in
  unix:*) ;;
  *) export UNDERSIGNED_BASE_URL="${UNDERSIGNED_BASE_URL:-http://$bind_host:$bind_port}" ;;
esac
bind_name="${bind_host#[}"
bind_name="${bind_name%]}"
export UNDERSIGNED_ALLOWED_HOSTS="${UNDERSIGNED_ALLOWED_HOSTS:-127.0.0.1,localhost,$bind_name}"
