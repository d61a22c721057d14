// The core defences against hostile files, each on an input generated here: the one JSON policy (depth, duplicate
// keys, size, memory, linear time), the one way to open an input (FIFOs and devices refused without blocking), the
// memory budget and the one atomic writer (every error reported, links kept, left-overs of killed saves removed).
#include "common/InputError.h"
#include "common/MemoryBudget.h"
#include "io/AtomicFileWriter.h"
#include "io/JsonReader.h"
#include "io/MappedFile.h"
#include "io/NpzArchive.h"
#include "io/RegularFile.h"
#include "io/SafetensorsFile.h"
#include "sae/SaeLensConfig.h"
#include "session/SessionFile.h"
#include "core/ScratchFiles.h"
#include "core/TinyFilesystem.h"

#include <QElapsedTimer>
#include <QtTest>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fcntl.h>
#include <functional>
#include <fstream>
#include <string>

using namespace featurescope;

namespace {
std::string errorOf(const std::function<void()>& action)
{
    try {
        action();
    } catch (const InputError& error) {
        return error.what();
    }
    return {};
}

bool contains(const std::string& text, const char* part) { return text.find(part) != std::string::npos; }

std::string safetensorsImage(const std::string& header)
{
    std::string out(8, '\0');
    for (int k = 0; k < 8; ++k)
        out[std::size_t(k)] = char((std::uint64_t(header.size()) >> (8 * k)) & 0xFF);
    return out + header;
}

// A safetensors header naming `count` empty tensors (shape [0]).
std::string manyTensors(int count)
{
    std::string header = "{";
    for (int i = 0; i < count; ++i)
        header += (i ? "," : "") + std::string("\"t") + std::to_string(i) +
                  "\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}";
    return safetensorsImage(header + "}");
}

void writeBytes(const std::string& path, const std::string& bytes)
{
    std::ofstream out(path, std::ios::binary);
    out << bytes;
}
} // namespace

class TestHostileCore : public QObject {
    Q_OBJECT

private:
    ScratchFiles m_files;
    std::string path(const char* name) const { return m_files.path(QString::fromUtf8(name)).toStdString(); }

private Q_SLOTS:
    void jsonDepthIsBoundedWithoutRecursion()
    {
        // 150k levels crashed nlohmann's recursive copy; refused at level 65 before anything deep is built.
        const std::string deep = std::string(150000, '[') + std::string(150000, ']');
        const std::string message = errorOf([&] { JsonReader::parse(deep, "deep.json", "the config"); });
        QVERIFY2(contains(message, "deep.json: the config is nested more than 64 levels deep"), message.c_str());
        const std::string sixtyFour = std::string(64, '[') + std::string(64, ']');
        QCOMPARE(JsonReader::parse(sixtyFour, "ok.json", "").dump(), sixtyFour);
        // SAELens cfg.json goes through the same policy (the crash in `sae --sae DIR`).
        const std::string cfg = "{\"d_in\":" + deep + "}";
        const std::string cfgMessage = errorOf([&] { SaeLensConfig::parse(cfg, "sae/cfg.json"); });
        QVERIFY2(contains(cfgMessage, "sae/cfg.json: nested more than 64 levels deep"), cfgMessage.c_str());
    }

    void jsonDuplicateKeysAtAnyDepth()
    {
        const std::string message =
            errorOf([&] { JsonReader::parse(R"({"a":{"b":1,"c":[{"x":1,"x":2}]}})", "dup.json", "the session"); });
        QVERIFY2(contains(message, "dup.json: the session has the key 'x' twice"), message.c_str());
        QCOMPARE(JsonReader::parse(R"({"x":{"x":{"x":1}}})", "nested.json", "").dump(), std::string(R"({"x":{"x":{"x":1}}})"));
    }

    void jsonSizeAndMemoryAreBounded()
    {
        JsonLimits limits;
        limits.maxBytes = 1000;
        const std::string big(2000, ' ');
        QVERIFY(contains(errorOf([&] { JsonReader::parse(big, "big.json", "", limits); }), "big.json: larger than"));
        // 2 bytes of text per empty array cost far more once parsed: the estimate stops it near the limit.
        limits.maxBytes = 100'000'000;
        limits.maxMemory = 1'000'000;
        std::string flat = "[";
        for (int i = 0; i < 200000; ++i)
            flat += i ? ",[]" : "[]";
        flat += "]";
        const std::string message = errorOf([&] { JsonReader::parse(flat, "flat.json", "the list", limits); });
        QVERIFY2(contains(message, "flat.json: the list would take more than 1000 KB of memory"), message.c_str());
        limits.maxMemory = 256'000'000;
        QCOMPARE(JsonReader::parse(flat, "flat.json", "", limits).size(), std::size_t(200000));
    }

    void jsonErrorsKeepTheirKind()
    {
        QVERIFY(contains(errorOf([&] { JsonReader::parse("{\"a\": ", "cut.json", "the header"); }),
                         "cut.json: the header is not valid JSON"));
        QVERIFY(contains(errorOf([&] { JsonReader::parse("[\"\xff\"]", "latin1.json", ""); }),
                         "latin1.json: not valid UTF-8"));
        const nlohmann::json j = JsonReader::parse(R"({"n":-3,"u":18446744073709551615,"f":0.5,"s":"x","b":true,"z":null})", "ok", "");
        QCOMPARE(j.at("n").get<int>(), -3);
        QCOMPARE(j.at("u").get<std::uint64_t>(), std::uint64_t(18446744073709551615ull));
        QCOMPARE(j.at("f").get<double>(), 0.5);
        QVERIFY(j.at("b").get<bool>() && j.at("z").is_null());
    }

    // nlohmann 3.11's callback parser rescans a parent on every object close (80k tensors took over 100 s).
    // Linear work is checked by comparing 20k with 80k tensors: 4x the input must cost far less than 16x.
    void safetensorsHeaderParsesInLinearTime()
    {
        const std::string small = manyTensors(20000);
        const std::string large = manyTensors(80000);
        auto seconds = [](const std::string& image) {
            QElapsedTimer timer;
            timer.start();
            const SafetensorsFile file = SafetensorsFile::fromBuffer("many.safetensors",
                                                                     reinterpret_cast<const std::uint8_t*>(image.data()),
                                                                     image.size());
            const double elapsed = timer.nsecsElapsed() / 1e9;
            return std::make_pair(elapsed, file.tensors().size());
        };
        seconds(small); // warm up the allocator
        const auto [t20, n20] = seconds(small);
        const auto [t80, n80] = seconds(large);
        qInfo("safetensors header: 20,000 tensors %.3f s, 80,000 tensors %.3f s (%.1f MB)", t20, t80,
              large.size() / 1e6);
        QCOMPARE(n20, std::size_t(20000));
        QCOMPARE(n80, std::size_t(80000));
        QVERIFY2(t80 < 30.0, "80,000 tensors took more than 30 s");
        QVERIFY2(t80 < 10.0 * std::max(t20, 0.02), "4x the tensors cost 10x the time or more: not linear");
    }

    void sessionWithManySiblingsParsesQuickly()
    {
        std::string doc = R"({"format":"featurescope-session","version":1,"panels":{},"x":{)";
        for (int i = 0; i < 200000; ++i)
            doc += (i ? "," : "") + std::string("\"k") + std::to_string(i) + "\":{}";
        doc += "}}";
        QElapsedTimer timer;
        timer.start();
        const std::string message = errorOf([&] {
            SessionFile::parse("siblings.fss", reinterpret_cast<const std::uint8_t*>(doc.data()), doc.size());
        });
        qInfo("session of 200,000 sibling objects: %.3f s (%s)", timer.nsecsElapsed() / 1e9,
              message.empty() ? "accepted" : message.c_str());
        QVERIFY2(timer.elapsed() < 30000, "took more than 30 s");
    }

    void fifoIsRefusedWithoutBlocking()
    {
        const std::string fifo = path("pipe.npy");
        QCOMPARE(::mkfifo(fifo.c_str(), 0600), 0);
        QElapsedTimer timer;
        timer.start();
        const std::string viaMapped = errorOf([&] { MappedFile::open(fifo); });
        const std::string viaNpz = errorOf([&] { NpzArchive::open(fifo); });
        const std::string viaRegular = errorOf([&] { RegularFile::open(fifo); });
        QVERIFY(timer.elapsed() < 5000); // a blocking open() would wait for a writer forever
        for (const std::string& message : {viaMapped, viaNpz, viaRegular})
            QVERIFY2(contains(message, (fifo + ": is a named pipe (FIFO), not a regular file").c_str()), message.c_str());
        QVERIFY(contains(errorOf([&] { RegularFile::open("/dev/null"); }), "/dev/null: is a device"));
        QVERIFY(contains(errorOf([&] { RegularFile::open(path("missing")); }), "file not found"));
        QVERIFY(contains(errorOf([&] { RegularFile::open(m_files.path().toStdString()); }), "is a folder"));
        // A regular file still reads, and its descriptor is blocking again.
        writeBytes(path("plain.bin"), "hello");
        const RegularFile plain = RegularFile::open(path("plain.bin"));
        QCOMPARE(plain.size(), std::uint64_t(5));
        QCOMPARE(::fcntl(plain.fd(), F_GETFL) & O_NONBLOCK, 0);
    }

    void memoryBudgetFollowsTheEnvironment()
    {
        QVERIFY(MemoryBudget::availableBytes() > 0);
        qputenv("FEATURESCOPE_MEMORY_SHARE", "0.25");
        QCOMPARE(MemoryBudget::share(), 0.25);
        qputenv("FEATURESCOPE_MEMORY_SHARE", "seven");
        QCOMPARE(MemoryBudget::share(), MemoryBudget::kDefaultShare); // a typo must not switch the guard off
        qputenv("FEATURESCOPE_MEMORY_SHARE", "0.000001");
        const std::string message = errorOf([&] { MemoryBudget::require("bomb.npz", "inflating it", 1ull << 30); });
        qunsetenv("FEATURESCOPE_MEMORY_SHARE");
        QVERIFY2(contains(message, "bomb.npz: inflating it needs 1073 MB, more than the"), message.c_str());
        QVERIFY(contains(message, "FEATURESCOPE_MEMORY_SHARE"));
        MemoryBudget::require("small.npz", "inflating it", 1000); // no throw
    }

    void atomicWriterReportsErrors()
    {
        // No folder: creating the temporary file fails, naming the target.
        const std::string missing = path("no/such/folder/x.bin");
        QVERIFY(contains(errorOf([&] { AtomicFileWriter::writeFile(missing, "x"); }),
                         (missing + ": cannot write the file (No such file or directory)").c_str()));
        if (::geteuid() != 0) { // root writes anywhere
            const std::string locked = path("readonly");
            QDir().mkpath(QString::fromStdString(locked));
            ::chmod(locked.c_str(), 0555);
            const std::string message = errorOf([&] { AtomicFileWriter::writeFile(locked + "/x.bin", "x"); });
            ::chmod(locked.c_str(), 0755);
            QVERIFY2(contains(message, "x.bin: cannot write the file (Permission denied)"), message.c_str());
        }
        // A folder where the file should go: the rename fails, nothing is left behind.
        const std::string folder = path("a-folder");
        QDir().mkpath(QString::fromStdString(folder + "/inside"));
        const std::string isFolder = errorOf([&] { AtomicFileWriter::writeFile(folder, "x"); });
        QVERIFY2(contains(isFolder, (folder + ": cannot write the file (").c_str()), isFolder.c_str());
        QCOMPARE(QDir(m_files.path()).entryList({QStringLiteral("a-folder.tmp-*")}).size(), 0);
        // A full disk: the write fails with ENOSPC and the old file stays as it was.
        TinyFilesystem disk(m_files.path(QStringLiteral("disk")));
        if (!disk.isMounted())
            QSKIP("cannot mount a tmpfs here (needs root): the full-disk case is not run");
        const std::string target = disk.filePath(QStringLiteral("x.bin")).toStdString();
        AtomicFileWriter::writeFile(target, "old");
        const std::string full = errorOf([&] { AtomicFileWriter::writeFile(target, std::string(1 << 20, 'x')); });
        QVERIFY2(contains(full, (target + ": cannot write the file (No space left on device)").c_str()), full.c_str());
        std::ifstream in(target);
        std::string content;
        in >> content;
        QCOMPARE(content, std::string("old"));
        QCOMPARE(QDir(m_files.path(QStringLiteral("disk"))).entryList(QDir::Files).size(), 1);
    }

    void atomicWriterKeepsLinksAndCleansLeftovers()
    {
        const std::string target = path("real/data.bin");
        QDir().mkpath(QString::fromStdString(path("real")));
        writeBytes(target, "old");
        const std::string link = path("link.bin");
        QCOMPARE(::symlink("real/data.bin", link.c_str()), 0);
        // Left-overs of a killed save beside the real target (unlocked), and a file that only looks similar.
        writeBytes(target + ".tmp-AbC123", "partial");
        writeBytes(target + ".tmp-toolong1", "not ours");
        AtomicFileWriter::writeFile(link, "new");
        QVERIFY(QFileInfo(QString::fromStdString(link)).isSymLink());
        std::ifstream in(target);
        std::string content;
        in >> content;
        QCOMPARE(content, std::string("new"));
        QVERIFY(!QFileInfo::exists(QString::fromStdString(target + ".tmp-AbC123")));
        QVERIFY(QFileInfo::exists(QString::fromStdString(target + ".tmp-toolong1")));
        // A temporary file another writer holds (locked) is left alone.
        AtomicFileWriter busy(target);
        AtomicFileWriter::writeFile(target, "again");
        QDir real(QString::fromStdString(path("real")));
        QCOMPARE(real.entryList({QStringLiteral("data.bin.tmp-??????")}, QDir::Files).size(), 1);
    }
};

QTEST_GUILESS_MAIN(TestHostileCore)
#include "tst_hostile_core.moc"
