// FolderChecksum: the fingerprint a session keeps of a model's or an SAE's files. It must be CRC-32 (checked
// against zlib's value over the same bytes), change with any byte, size or name, tell an absent file from an empty
// one, and refuse a named entry that is not a regular file with one line.

#include "ScratchFiles.h"

#include "common/Cancelled.h"
#include "common/InputError.h"
#include "common/ProgressReporter.h"
#include "io/FolderChecksum.h"

#include <QTest>

#include <zlib.h>

#include <cstdint>
#include <cstdio>
#include <sys/stat.h>

using featurescope::FolderChecksum;

namespace {
std::string sum(const ScratchFiles& files, const std::vector<std::string>& names)
{
    return FolderChecksum::compute(files.path().toStdString(), names);
}
} // namespace

class TestFolderChecksum : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void isCrc32OfNamesSizesAndBytes()
    {
        ScratchFiles files;
        files.write(QStringLiteral("a.json"), "{\"x\": 1}");
        // The same stream built by hand: name with its zero, the size as 8 little-endian bytes, the bytes.
        std::string stream("a.json", 7);
        const std::uint64_t size = 8;
        stream.append(reinterpret_cast<const char*>(&size), sizeof size);
        stream += "{\"x\": 1}";
        stream.append("b.bin", 6);
        stream += "-"; // absent
        const uLong crc = crc32_z(0, reinterpret_cast<const Bytef*>(stream.data()), stream.size());
        char expected[32];
        std::snprintf(expected, sizeof expected, "crc32:%08lx", crc);
        QCOMPARE(QString::fromStdString(sum(files, {"a.json", "b.bin"})), QString::fromLatin1(expected));
    }

    void changesWithEveryPart()
    {
        ScratchFiles files;
        files.write(QStringLiteral("w.safetensors"), QByteArray(3 << 20, 'x')); // more than one read buffer
        const std::string base = sum(files, {"cfg.json", "w.safetensors"});
        QCOMPARE(sum(files, {"cfg.json", "w.safetensors"}), base); // deterministic
        QByteArray changed(3 << 20, 'x');
        changed[(3 << 20) - 1] = 'y';
        files.write(QStringLiteral("w.safetensors"), changed);
        const std::string lastByte = sum(files, {"cfg.json", "w.safetensors"});
        QVERIFY(lastByte != base);
        files.write(QStringLiteral("cfg.json"), "");
        const std::string emptyFile = sum(files, {"cfg.json", "w.safetensors"});
        QVERIFY(emptyFile != lastByte); // an empty file is not an absent one
        QVERIFY(sum(files, {"w.safetensors", "cfg.json"}) != emptyFile); // order counts
        QVERIFY(sum(files, {"cfg.json"}) != sum(files, {"cfg2.json"}));
        QCOMPARE(sum(files, {}).substr(0, 6), std::string("crc32:"));
    }

    void refusesWhatIsNotAFileAndCancels()
    {
        ScratchFiles files;
        // A folder named like a file counts as absent (the loader then says what is missing).
        QVERIFY(QDir(files.path()).mkdir(QStringLiteral("folder.json")));
        const std::string withFolder = sum(files, {"folder.json"});
        QVERIFY(QDir(files.path()).rmdir(QStringLiteral("folder.json")));
        QCOMPARE(withFolder, sum(files, {"folder.json"}));
        files.write(QStringLiteral("big.bin"), QByteArray(2 << 20, 'z'));
        featurescope::ProgressReporter progress;
        progress.cancel();
        QVERIFY_THROWS_EXCEPTION(featurescope::Cancelled,
                                 FolderChecksum::compute(files.path().toStdString(), {"big.bin"}, &progress));
        // Not a regular file: counted as absent, never opened (a FIFO would block a reader).
        QVERIFY(::mkfifo(files.path(QStringLiteral("pipe.bin")).toLocal8Bit().constData(), 0600) == 0);
        const std::string withPipe = sum(files, {"pipe.bin"});
        QVERIFY(QFile::remove(files.path(QStringLiteral("pipe.bin"))));
        QCOMPARE(withPipe, sum(files, {"pipe.bin"}));
    }
};

QTEST_GUILESS_MAIN(TestFolderChecksum)
#include "tst_folder_checksum.moc"
