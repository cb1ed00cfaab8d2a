# Reads a sanitizer report (a crash, leak or out-of-memory input replayed by its harness) and
# prints "hdf5" when the fault is HDF5's own, "gutbrain" otherwise (docs/FUZZING.md, "HDF5").
# In each stack of the report the first frame in libhdf5 or in gutbrain's sources (pipeline/,
# kernels/, tests/fuzz/) decides; the sanitizer runtime, libFuzzer and libc are passed over.
# HDF5's when every stack is decided by libhdf5: the faulting one, and each "allocated by",
# "freed by" and leak stack (a buffer gutbrain allocated and HDF5 overran stays ours), and no
# leaked memory came from H5Aread/H5Dread, which hand variable-length strings to gutbrain to free.
# A UBSan report (libhdf5 is not instrumented) or a stack without a deciding frame is ours.
function verdict(line) {
    if (line ~ /libhdf5/) return "hdf5"
    if (line ~ /(^|[ \/])(pipeline|kernels|tests\/fuzz)\/[^ ]+\.[ch]:[0-9]/) return "gutbrain"
    return ""
}
function new_stack(is_alloc) { n++; first[n] = ""; entry[n] = ""; ours[n] = 0; alloc[n] = is_alloc }
/runtime error:/ { ubsan = 1 }
/ERROR: LeakSanitizer/ && !started { started = 1; next }
/ERROR: (AddressSanitizer|libFuzzer)/ && !started { started = 1; new_stack(0); next }
started && /(allocated|freed) by thread .* here:/ { new_stack(0); next }
started && /leak of .* allocated from:/ { new_stack(1); next }
n && /^ *#[0-9]+ 0x/ {
    v = verdict($0)
    if (first[n] == "") first[n] = v
    if (v == "gutbrain") ours[n] = 1
    if (v == "hdf5" && !ours[n] && $3 == "in") entry[n] = $4
}
END {
    owner = n && !ubsan ? "hdf5" : "gutbrain"
    for (i = 1; i <= n; i++)
        if (first[i] != "hdf5" || (alloc[i] && entry[i] ~ /^H5[AD]read$/)) owner = "gutbrain"
    print owner
}
