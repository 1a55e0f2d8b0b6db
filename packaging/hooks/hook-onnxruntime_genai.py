"""PyInstaller hook for onnxruntime_genai (found through hookspath in packaging/localchat.spec).

onnxruntime-genai does not link against onnxruntime: at import it finds the onnxruntime
package with importlib.util.find_spec and loads onnxruntime/capi/libonnxruntime.so.<version>
(libonnxruntime*.dylib, onnxruntime.dll) *by path*.  So that file must sit at the same
relative place in the bundle.  The stock onnxruntime hook collects only lib*.so and only
runs when onnxruntime's Python package is imported, which LocalChat never does; importing
it would also drag in its 36 MB pybind module that nothing uses.
"""

from importlib import metadata

from PyInstaller.utils.hooks import collect_dynamic_libs, copy_metadata

# "lib*.so.*" is the versioned Linux name that the stock patterns miss; the DirectML flavour
# ships DirectML.dll next to onnxruntime.dll, which "*.dll" covers.
binaries = collect_dynamic_libs("onnxruntime", search_patterns=["lib*.so", "lib*.so.*", "*.dylib", "*.dll"])

# The model builder (python -m onnxruntime_genai.models.builder) needs torch and transformers;
# the app only runs models, never converts them.
excludedimports = ["onnxruntime_genai.models"]

# engine.runtime.genai.genai_version() and `localchat doctor` read the installed distribution's version;
# which distribution it is decides the flavour (CPU, DirectML, ...).
datas = []
# Kept equal to engine.runtime.genai's FLAVOURS and ONNXRUNTIME_DISTRIBUTIONS (tests/packaging checks it).
DISTRIBUTIONS = ["onnxruntime-genai", "onnxruntime-genai-directml", "onnxruntime-genai-winml", "onnxruntime-genai-cuda",
                 "onnxruntime", "onnxruntime-gpu", "onnxruntime-directml", "onnxruntime-windowsml",
                 "onnxruntime-openvino", "onnxruntime-qnn", "onnxruntime-rocm", "onnxruntime-training"]
for dist in DISTRIBUTIONS:
    try:
        metadata.version(dist)
    except metadata.PackageNotFoundError:
        continue
    datas += copy_metadata(dist)
