// libFuzzer harness: GPT-2 BPE vocab.json + merges.txt on arbitrary bytes (the input is split at its first NUL into
// the two files; the rest after a second NUL is text to encode). Bad files must throw InputError, nothing else; a
// tokenizer that loads must encode any text to ids that decode back to the same bytes.
#include "common/InputError.h"
#include "lm/BpeTokenizer.h"

#include <cstdint>
#include <cstdlib>
#include <string>

using namespace featurescope;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string input(reinterpret_cast<const char*>(data), size);
    const std::size_t first = input.find('\0');
    const std::string vocab = input.substr(0, first);
    const std::string rest = first == std::string::npos ? std::string() : input.substr(first + 1);
    const std::size_t second = rest.find('\0');
    const std::string merges = rest.substr(0, second);
    const std::string text = second == std::string::npos ? std::string("hello world's 12") : rest.substr(second + 1);
    try {
        const BpeTokenizer t = BpeTokenizer::parse(vocab, "vocab.json", merges, "merges.txt");
        const std::vector<int> ids = t.encode(text);
        for (const int id : ids)
            if (id < 0 || id >= t.vocabSize())
                std::abort();
        if (t.decode(ids) != text)
            std::abort();
    } catch (const InputError&) {
    }
    return 0;
}
