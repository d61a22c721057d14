// Test helper for tst_session_kill: saves a session to argv[1] over and over, each time with a counter k in the
// settings and arrays whose every value is k, until it is killed. A session file that opens must then be whole:
// its arrays all hold the counter its settings name.
#include "session/SessionFile.h"

#include <cstdio>
#include <cstdlib>
#include <vector>

using namespace featurescope;

int main(int argc, char** argv)
{
    if (argc < 2) {
        std::fprintf(stderr, "usage: session_save_loop FILE [START]\n");
        return 2;
    }
    long k = argc > 2 ? std::atol(argv[2]) : 1;
    for (;; ++k) {
        Session s;
        s.appVersion = "test";
        PanelState state;
        state.settings = {{"counter", k}};
        // ~1.2 MB per save, so a kill often lands mid-write.
        std::vector<float> values(300000, float(k));
        state.arrays["a"] = ArrayData::fromFloats({values.size()}, values.data());
        state.arrays["b"] = ArrayData::fromFloats({3}, values.data());
        s.panels["loop"] = state;
        SessionFile::save(argv[1], s);
        std::printf("%ld\n", k);
        std::fflush(stdout);
    }
}
