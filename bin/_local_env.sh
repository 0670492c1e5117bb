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
export UNDERSIGNED_ALLOWED_HOSTS="${UNDERSIGNED_ALLOWED_HOSTS:-127.0.0.1,localhost}"
