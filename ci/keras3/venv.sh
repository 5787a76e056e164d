# Sourced by ci/keras3/*.sh: $venv, a Python 3.11 venv with Keras 3.15.1, jax and jaxlib installed offline from the
# project machines' wheel folder (/opt/pypi/files), made on first use.
venv=/tmp/jrnn-keras3/venv
if [ ! -x "$venv/bin/python" ]; then
  python3.11 -m venv "$venv"
  "$venv/bin/pip" -q install --no-index --find-links /opt/pypi/files keras==3.15.1 jax jaxlib h5py
fi
