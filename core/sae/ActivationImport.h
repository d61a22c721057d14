#pragma once

#include "io/ArrayFile.h"
#include "sae/ActivationSource.h"

#include <string>
#include <vector>

namespace featurescope {

class ProgressReporter;

struct ActivationImportOptions {
    // The [N, d] array to use; empty picks the only float array of rank >= 2 (several candidates and no name is an
    // error that lists them). Leading dimensions are flattened: [B, T, d] gives N = B·T rows.
    std::string arrayName;
    // Optional class labels, one integer per row: the name of an array in the same file, or the path of another
    // .npy/.npz/.safetensors file holding exactly one array (or "path:name"). Empty: no labels.
    std::string labelsName;
    // Optional token strings, one per row (see "Token strings" below): the name of a string array in the same file,
    // or a sidecar file (.json, .txt, or a .npy of strings). Empty: an array named "tokens" holding strings in the
    // file, else a sidecar PATH.tokens.json or PATH.tokens.txt beside the file, else none.
    std::string tokensName;
    // Optional sequence ids, one integer per row, that split the rows into sequences (token windows never cross
    // from one to the next): an array name in the same file. Empty: an array named "sequence_ids" if present, else
    // derived from [B, T, d] activations (row / T), else all rows form one stream.
    std::string sequenceIdsName;
    NpyReadOptions npy;
};

struct ImportedActivations {
    EvaluationSet set; // activations d x N (one row of the file per column), labels when asked for
    std::string path;
    std::string arrayName;
    std::string labelsName;
    ArrayFile::Format format = ArrayFile::Format::Npy;
    ArrayData::Shape shape; // as stored
    DType dtype = DType::F32;

    // Token strings (UTF-8), one per row, or empty; where they came from ("tokens", or a sidecar path).
    std::vector<std::string> tokens;
    std::string tokensSource;
    // Sequence id per row when tokens are present (equal ids = one sequence, rows in order); all zero for one stream.
    std::vector<std::int64_t> sequenceIds;
    bool hasTokens() const { return !tokens.empty(); }
};

// Imports recorded activations ([N, d] arrays of any float type, or integers when named explicitly) from .npy, .npz
// or .safetensors files. Every problem throws InputError with one line naming the file: a missing or ambiguous
// array (the candidates are listed, with the option to choose one), a wrong rank or dtype, NaN/inf values, labels
// that are not integers in [0, 1e6) or do not have one per row. Cancellable through `progress` (Cancelled).
//
// Token strings (for language-model activations; the feature browser shows rows as highlighted text). Each row of
// the activations is one token (or one context string); the strings come with the file in one Python line:
//     np.savez("acts.npz", acts=acts, tokens=np.array(tokens))                 # tokens: list of N str
//     np.savez("acts.npz", acts=acts, tokens=np.array(toks), sequence_ids=ids) # several sequences, ids: [N] ints
//     json.dump(tokens, open("acts.npy.tokens.json", "w"))                      # sidecar beside acts.npy
// np.array(list of str) is a fixed-width '<Uk' array (UTF-32), read safely by NpyFile; a [B, T] string array goes
// with [B, T, d] activations. The JSON sidecar is a list of N strings, or {"tokens": [...], "sequence_ids": [...]}.
// A .txt sidecar holds one token per line (so tokens cannot contain a newline there; prefer JSON).
class ActivationImport {
public:
    static constexpr int kMaxLabel = 1000000;
    static constexpr std::uint64_t kMaxSidecarBytes = std::uint64_t(1) << 30;

    // Strings from a '<Uk' array read with NpyReadOptions::unicodeAsU32 (U32, last dimension k): one UTF-8 string
    // per element of the other dimensions, NUL padding removed. Throws InputError (naming `where`) on a code point
    // that is not valid Unicode.
    static std::vector<std::string> decodeUtf32Strings(const ArrayData& array, const std::string& where);

    // Arrays that can serve as activations without being named: float dtype, rank >= 2, non-empty.
    static std::vector<ArrayFile::Entry> candidates(const ArrayFile& file);
    static ImportedActivations load(const std::string& path, const ActivationImportOptions& options = {},
                                    const ProgressReporter* progress = nullptr);
};

} // namespace featurescope
