// Hostile inputs through the real binary, each generated here (large ones are not committed): every case must end
// with exit status 2 and one stderr line naming the file (or a correct result), within a bound on wall time and on
// the child's peak memory (MeasuredRun: wait4's rusage of that child). Bounds are generous for a loaded 2-core
// machine: 1.5 GB for the 1 GiB npz, 300 MB for everything else.
#include "app/MeasuredRun.h"
#include "core/ScratchFiles.h"
#include "core/TinyFilesystem.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTest>

#include <sys/stat.h>
#include <zlib.h>

#include <functional>

namespace {

constexpr long kSmallPeakMegabytes = 300;
constexpr long kBombPeakMegabytes = 1500;

QByteArray littleEndian(quint64 value, int bytes)
{
    QByteArray out;
    for (int k = 0; k < bytes; ++k)
        out += char((value >> (8 * k)) & 0xFF);
    return out;
}

QByteArray npyHeader(const QByteArray& dict)
{
    const QByteArray header = dict + QByteArray(64 - (10 + dict.size() + 1) % 64, ' ') + '\n';
    return QByteArray("\x93NUMPY\x01\x00", 8) + littleEndian(quint64(header.size()), 2) + header;
}

QByteArray npyF32(int rows, int cols, float value)
{
    QByteArray data;
    for (int i = 0; i < rows * cols; ++i)
        data += QByteArray(reinterpret_cast<const char*>(&value), 4);
    return npyHeader(QStringLiteral("{'descr': '<f4', 'fortran_order': False, 'shape': (%1, %2), }")
                         .arg(rows).arg(cols).toLatin1()) + data;
}

QByteArray safetensors(const QByteArray& header) { return littleEndian(quint64(header.size()), 8) + header; }

// Streams `prefix` followed by `zeros` zero bytes through deflate (raw for zip, gzip-wrapped for .gz) into `file`.
// Returns the CRC-32 of the uncompressed bytes.
quint32 deflateInto(QFile& file, const QByteArray& prefix, quint64 zeros, bool gzip, quint64* compressed)
{
    z_stream z{};
    deflateInit2(&z, 6, Z_DEFLATED, gzip ? 31 : -15, 8, Z_DEFAULT_STRATEGY);
    const QByteArray block(1 << 20, '\0');
    QByteArray out(1 << 20, '\0');
    uLong crc = crc32(0, nullptr, 0);
    *compressed = 0;
    auto feed = [&](const char* data, quint64 size, int flush) {
        z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data));
        z.avail_in = uInt(size);
        crc = crc32(crc, reinterpret_cast<const Bytef*>(data), uInt(size));
        do {
            z.next_out = reinterpret_cast<Bytef*>(out.data());
            z.avail_out = uInt(out.size());
            deflate(&z, flush);
            const quint64 have = quint64(out.size()) - z.avail_out;
            file.write(out.constData(), qint64(have));
            *compressed += have;
        } while (z.avail_out == 0);
    };
    feed(prefix.constData(), quint64(prefix.size()), Z_NO_FLUSH);
    for (quint64 left = zeros; left > 0;) {
        const quint64 n = std::min<quint64>(left, quint64(block.size()));
        left -= n;
        feed(block.constData(), n, left ? Z_NO_FLUSH : Z_FINISH);
    }
    if (zeros == 0)
        feed(nullptr, 0, Z_FINISH);
    deflateEnd(&z);
    return quint32(crc);
}

// A zip archive written by hand, so tests can make what libzip refuses to write (two members of one name).
class ZipWriter {
public:
    explicit ZipWriter(const QString& path) : m_file(path) { m_file.open(QIODevice::WriteOnly | QIODevice::Truncate); }

    // A stored member.
    void add(const QByteArray& name, const QByteArray& data)
    {
        const quint32 crc = quint32(crc32(crc32(0, nullptr, 0), reinterpret_cast<const Bytef*>(data.constData()), uInt(data.size())));
        const qint64 offset = m_file.pos();
        m_file.write(localHeader(name, 0, crc, quint64(data.size()), quint64(data.size())));
        m_file.write(data);
        m_central += centralEntry(name, 0, crc, quint64(data.size()), quint64(data.size()), quint64(offset));
        ++m_count;
    }

    // A deflated member of `prefix` and `zeros` zero bytes; sizes and CRC are patched in after streaming.
    void addDeflated(const QByteArray& name, const QByteArray& prefix, quint64 zeros)
    {
        const qint64 offset = m_file.pos();
        m_file.write(localHeader(name, 8, 0, 0, 0));
        quint64 compressed = 0;
        const quint32 crc = deflateInto(m_file, prefix, zeros, false, &compressed);
        const qint64 end = m_file.pos();
        const quint64 size = quint64(prefix.size()) + zeros;
        m_file.seek(offset);
        m_file.write(localHeader(name, 8, crc, compressed, size));
        m_file.seek(end);
        m_central += centralEntry(name, 8, crc, compressed, size, quint64(offset));
        ++m_count;
    }

    void finish()
    {
        const qint64 start = m_file.pos();
        m_file.write(m_central);
        m_file.write(QByteArray("PK\x05\x06", 4) + littleEndian(0, 4) + littleEndian(quint64(m_count), 2) +
                     littleEndian(quint64(m_count), 2) + littleEndian(quint64(m_central.size()), 4) +
                     littleEndian(quint64(start), 4) + littleEndian(0, 2));
        m_file.close();
    }

private:
    static QByteArray localHeader(const QByteArray& name, int method, quint32 crc, quint64 compressed, quint64 size)
    {
        return QByteArray("PK\x03\x04", 4) + littleEndian(20, 2) + littleEndian(0, 2) + littleEndian(quint64(method), 2) +
               littleEndian(0, 4) + littleEndian(crc, 4) + littleEndian(compressed, 4) + littleEndian(size, 4) +
               littleEndian(quint64(name.size()), 2) + littleEndian(0, 2) + name;
    }
    static QByteArray centralEntry(const QByteArray& name, int method, quint32 crc, quint64 compressed, quint64 size,
                                   quint64 offset)
    {
        return QByteArray("PK\x01\x02", 4) + littleEndian(20, 2) + littleEndian(20, 2) + littleEndian(0, 2) +
               littleEndian(quint64(method), 2) + littleEndian(0, 4) + littleEndian(crc, 4) +
               littleEndian(compressed, 4) + littleEndian(size, 4) + littleEndian(quint64(name.size()), 2) +
               littleEndian(0, 2) + littleEndian(0, 2) + littleEndian(0, 2) + littleEndian(0, 2) + littleEndian(0, 4) +
               littleEndian(offset, 4) + name;
    }

    QFile m_file;
    QByteArray m_central;
    int m_count = 0;
};

QString gzipFile(const QString& path, const QByteArray& prefix, quint64 zeros)
{
    QFile file(path);
    file.open(QIODevice::WriteOnly | QIODevice::Truncate);
    quint64 compressed = 0;
    deflateInto(file, prefix, zeros, true, &compressed);
    return path;
}

QByteArray bigEndian32(quint32 v)
{
    return QByteArray() + char(v >> 24) + char((v >> 16) & 0xFF) + char((v >> 8) & 0xFF) + char(v & 0xFF);
}

} // namespace

class TestHostileInputs : public QObject {
    Q_OBJECT

private:
    ScratchFiles m_files;
    const QString m_golden = QStringLiteral(FEATURESCOPE_TEST_DATA_DIR "/golden/saelens/");

    QString goodSae() const { return m_golden + QStringLiteral("standard_v6"); }
    QString goodActs() const { return m_golden + QStringLiteral("inputs.npy"); }

    // A copy of the golden SAE folder; `replace` (if given) swaps one of its files for `bytes`.
    QString saeCopy(const QString& name, const QString& replace = {}, const QByteArray& bytes = {})
    {
        const QString dir = m_files.path(name);
        QDir().mkpath(dir);
        for (const QString& f : QDir(goodSae()).entryList(QDir::Files))
            QFile::copy(goodSae() + QLatin1Char('/') + f, dir + QLatin1Char('/') + f);
        if (!replace.isEmpty()) {
            QFile::remove(dir + QLatin1Char('/') + replace);
            m_files.write(name + QLatin1Char('/') + replace, bytes);
        }
        return dir;
    }

    QString fifo(const QString& name)
    {
        const QString path = m_files.path(name);
        QFile::remove(path);
        if (::mkfifo(path.toLocal8Bit().constData(), 0600) != 0)
            qFatal("mkfifo %s failed", qPrintable(path));
        return path;
    }

    // The run must refuse with status 2 and exactly one line on stderr containing `message` (and the file), in
    // bounded time and memory.
    static void expectRefusal(const MeasuredRun& r, const QString& message, long peakBound = kSmallPeakMegabytes,
                              double secondsBound = 60.0)
    {
        qInfo("  %.2f s, peak %ld MB: %s", r.seconds, r.peakMegabytes, r.err.trimmed().constData());
        QVERIFY2(r.exitCode == 2, qPrintable(QStringLiteral("exit %1: %2").arg(r.exitCode).arg(QString::fromUtf8(r.err))));
        // The offscreen Qt platform (render) warns about size hints on stderr; the check is about our own lines.
        QByteArray own;
        for (const QByteArray& line : r.err.split('\n'))
            if (!line.isEmpty() && !line.startsWith("This plugin does not support propagateSizeHints"))
                own += line + '\n';
        QCOMPARE(own.count('\n'), 1);
        QVERIFY2(QString::fromUtf8(r.err).contains(message), r.err.constData());
        QVERIFY2(r.seconds < secondsBound, qPrintable(QStringLiteral("%1 s").arg(r.seconds)));
        QVERIFY2(r.peakMegabytes < peakBound, qPrintable(QStringLiteral("peak %1 MB").arg(r.peakMegabytes)));
    }

    // Qt warns on stderr when XDG_RUNTIME_DIR is unset (render starts a QApplication).
    static QProcessEnvironment quietEnvironment()
    {
        static QTemporaryDir runtime;
        QFile::setPermissions(runtime.path(), QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("XDG_RUNTIME_DIR"), runtime.path());
        return env;
    }

    static QStringList args(std::initializer_list<const char*> list, const QStringList& more = {})
    {
        QStringList out;
        for (const char* a : list)
            out << QString::fromUtf8(a);
        return out + more;
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (qEnvironmentVariable("FEATURESCOPE_BINARY").isEmpty())
            QSKIP("FEATURESCOPE_BINARY is not set (run through ctest)");
        QVERIFY(m_files.isValid());
    }

    // Item 1: ~150k nested arrays in cfg.json crashed nlohmann's recursive copy.
    void deepConfigJson()
    {
        const QByteArray deep = "{\"d_in\": " + QByteArray(150000, '[') + QByteArray(150000, ']') + "}";
        const QString dir = saeCopy(QStringLiteral("deep_cfg"), QStringLiteral("cfg.json"), deep);
        expectRefusal(MeasuredRun::run(args({"sae", "--sae"}, {dir, QStringLiteral("--activations"), goodActs()})),
                      QStringLiteral("cfg.json: nested more than 64 levels deep"));
    }

    // Item 2: a probability of 1e-18 wrote outside the sampler's batch; every command that takes one refuses it.
    void tinyProbabilities_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::newRow("tms") << args({"tms", "--n", "5", "--m", "2", "--feature-probability", "1e-18", "--steps", "10"});
        QTest::newRow("sweep") << args({"sweep", "--n", "5", "--m", "2", "--instances", "2", "--p-min", "1e-18", "--steps", "10"});
        QTest::newRow("sae toy") << args({"sae", "--source", "toy", "--feature-probability", "1e-18", "--toy-steps", "10", "--steps", "10"});
    }
    void tinyProbabilities()
    {
        QFETCH(QStringList, arguments);
        expectRefusal(MeasuredRun::run(arguments), QStringLiteral("feature probabilities must be in [1e-9, 1] (got 1e-18)"));
    }

    // Item 3: a FIFO anywhere a file is read used to block forever in open().
    void fifos_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("file");
        const QString acts = fifo(QStringLiteral("acts_fifo.npy"));
        QTest::newRow("activations") << args({"sae", "--sae"}, {goodSae(), QStringLiteral("--activations"), acts}) << acts;
        const QString cfgDir = saeCopy(QStringLiteral("fifo_cfg"));
        QFile::remove(cfgDir + QStringLiteral("/cfg.json"));
        fifo(QStringLiteral("fifo_cfg/cfg.json"));
        QTest::newRow("cfg.json") << args({"sae", "--sae"}, {cfgDir, QStringLiteral("--activations"), goodActs()})
                                  << cfgDir + QStringLiteral("/cfg.json");
        const QString weightsDir = saeCopy(QStringLiteral("fifo_weights"));
        QFile::remove(weightsDir + QStringLiteral("/sae_weights.safetensors"));
        fifo(QStringLiteral("fifo_weights/sae_weights.safetensors"));
        QTest::newRow("SAE weights") << args({"sae", "--sae"}, {weightsDir, QStringLiteral("--activations"), goodActs()})
                                     << weightsDir + QStringLiteral("/sae_weights.safetensors");
        const QString sparsityDir = saeCopy(QStringLiteral("fifo_sparsity"));
        QFile::remove(sparsityDir + QStringLiteral("/sparsity.safetensors"));
        fifo(QStringLiteral("fifo_sparsity/sparsity.safetensors"));
        QTest::newRow("sparsity") << args({"sae", "--sae"}, {sparsityDir, QStringLiteral("--activations"), goodActs()})
                                  << sparsityDir + QStringLiteral("/sparsity.safetensors");
        const QString session = fifo(QStringLiteral("session_fifo.fss"));
        QTest::newRow("session") << args({"render", "--panel", "energy", "--session"},
                                         {session, QStringLiteral("--out"), m_files.path(QStringLiteral("fifo.png"))})
                                 << session;
        const QString weights = fifo(QStringLiteral("weights_fifo.safetensors"));
        QTest::newRow("scale --weights") << args({"scale", "--model", "file", "--tensor", "W", "--weights"}, {weights}) << weights;
    }
    void fifos()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, file);
        expectRefusal(MeasuredRun::run(arguments, 30000, quietEnvironment()), file + QStringLiteral(": is a named pipe (FIFO), not a regular file"),
                      kSmallPeakMegabytes, 20.0);
    }

    // Item 4: 80,000 tensors took over 100 s in nlohmann's callback parser. As activations the file holds no
    // candidate array, a refusal that needs the whole header parsed.
    void manyTensors()
    {
        QByteArray header = "{";
        for (int i = 0; i < 80000; ++i)
            header += (i ? "," : "") + QByteArray("\"tensor_") + QByteArray::number(i) +
                      "\":{\"dtype\":\"F32\",\"shape\":[0,4],\"data_offsets\":[0,0]}";
        header += "}";
        const QString path = m_files.write(QStringLiteral("many.safetensors"), safetensors(header));
        expectRefusal(MeasuredRun::run(args({"sae", "--sae"}, {goodSae(), QStringLiteral("--activations"), path})),
                      QStringLiteral("many.safetensors: "), kSmallPeakMegabytes, 30.0);
    }

    // Item 7: JSON that would cost ~75x its size, deep at the start (a 100 MB header) or a token sidecar.
    void jsonBombs()
    {
        const QString header = m_files.write(QStringLiteral("deep_header.safetensors"),
                                             safetensors("{\"a\":" + QByteArray(99'000'000, '['))); // under the 100 MB cap
        expectRefusal(MeasuredRun::run(args({"sae", "--sae"}, {goodSae(), QStringLiteral("--activations"), header})),
                      QStringLiteral("deep_header.safetensors: the safetensors header is nested more than 64 levels deep"));
        QFile::remove(header);
        const QString acts = m_files.path(QStringLiteral("acts_tokens.npy"));
        QFile::copy(goodActs(), acts);
        const QString sidecar = m_files.write(QStringLiteral("acts_tokens.npy.tokens.json"), QByteArray(100'000'000, '['));
        expectRefusal(MeasuredRun::run(args({"sae", "--sae"}, {goodSae(), QStringLiteral("--activations"), acts})),
                      sidecar + QStringLiteral(": nested more than 64 levels deep"));
        QFile::remove(sidecar);
    }

    // Item 7: 1 MB of npz inflating to 1 GiB peaked at 2.8 GB. Now the float matrix is the only full-size copy; with
    // a small memory share the same file is refused before anything is inflated.
    void npzBomb()
    {
        const quint64 rows = (quint64(1) << 30) / (256 * 4);
        const QString path = m_files.path(QStringLiteral("bomb.npz"));
        {
            ZipWriter zip(path);
            zip.addDeflated("acts.npy",
                            npyHeader(QStringLiteral("{'descr': '<f4', 'fortran_order': False, 'shape': (%1, 256), }")
                                          .arg(rows).toLatin1()),
                            rows * 256 * 4);
            zip.finish();
        }
        qInfo("bomb.npz: %lld bytes", QFileInfo(path).size());
        // d = 256 against the SAE's d_in = 4: refused after the whole array is read.
        expectRefusal(MeasuredRun::run(args({"sae", "--sae"}, {goodSae(), QStringLiteral("--activations"), path})),
                      QStringLiteral("bomb.npz: the activations have d = 256"), kBombPeakMegabytes, 120.0);
        QFile meminfo(QStringLiteral("/proc/meminfo"));
        QVERIFY(meminfo.open(QIODevice::ReadOnly));
        double availableKiB = 0;
        for (const QByteArray& line : meminfo.readAll().split('\n'))
            if (line.startsWith("MemAvailable:"))
                availableKiB = line.mid(13).trimmed().split(' ').front().toDouble();
        QVERIFY(availableKiB > 0);
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("FEATURESCOPE_MEMORY_SHARE"), QString::number(256.0 * 1024 / availableKiB));
        expectRefusal(MeasuredRun::run(args({"sae", "--sae"}, {goodSae(), QStringLiteral("--activations"), path}), 120000,
                                       environment),
                      QStringLiteral("bomb.npz: array 'acts': the activations as float needs 1073 MB, more than the"));
        QFile::remove(path);
    }

    // Item 7: a gzipped IDX pair of a few MB claiming ~800 MB of pixels.
    void idxBomb()
    {
        const QString dir = m_files.path(QStringLiteral("idx"));
        QDir().mkpath(dir);
        const quint32 count = 1'000'000;
        const QString images = gzipFile(dir + QStringLiteral("/train-images-idx3-ubyte.gz"),
                                        bigEndian32(0x803) + bigEndian32(count) + bigEndian32(28) + bigEndian32(28),
                                        quint64(count) * 28 * 28);
        gzipFile(dir + QStringLiteral("/train-labels-idx1-ubyte.gz"), bigEndian32(0x801) + bigEndian32(count), count);
        // A complete-looking set (both splits), so the refusal comes from reading the bomb, not from a missing split.
        for (const char* name : {"/t10k-images-idx3-ubyte.gz", "/t10k-labels-idx1-ubyte.gz"})
            QFile::copy(images, dir + QLatin1String(name));
        qInfo("train-images-idx3-ubyte.gz: %lld bytes", QFileInfo(images).size());
        expectRefusal(MeasuredRun::run(args({"sae", "--source", "fashion-mnist", "--data-dir"}, {dir})),
                      images + QStringLiteral(": the IDX header claims 784 MB from"));
    }

    // Item 8: duplicate members gave libzip's "File already exists".
    void duplicateNpzMembers()
    {
        const QString path = m_files.path(QStringLiteral("duplicate.npz"));
        ZipWriter zip(path);
        zip.add("a.npy", npyF32(5, 4, 1.0f));
        zip.add("a.npy", npyF32(5, 4, 2.0f));
        zip.finish();
        expectRefusal(MeasuredRun::run(args({"sae", "--sae"}, {goodSae(), QStringLiteral("--activations"), path})),
                      QStringLiteral("duplicate.npz: not a valid .npz archive: two members have the same name"));
    }

    // Item 8: finite but huge activations give NaN metrics: an error naming the file, not "finished".
    void hugeActivations()
    {
        const QString path = m_files.write(QStringLiteral("huge.npy"), npyF32(5, 4, 3e38f));
        expectRefusal(MeasuredRun::run(args({"sae", "--sae"}, {goodSae(), QStringLiteral("--activations"), path})),
                      QStringLiteral("huge.npy: evaluating the SAE gave NaN or infinite metrics"));
        // Training on them diverges: exit 1, and --save writes nothing unless --save-diverged.
        const QString saved = m_files.path(QStringLiteral("diverged_sae"));
        const MeasuredRun r = MeasuredRun::run(args({"sae", "--activations"}, {path, QStringLiteral("--steps"), QStringLiteral("20"),
                                                                                QStringLiteral("--save"), saved}));
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("diverged"), r.err.constData());
        QVERIFY(!QFileInfo::exists(saved));
        const MeasuredRun forced = MeasuredRun::run(args({"sae", "--activations"}, {path, QStringLiteral("--steps"), QStringLiteral("20"),
                                                                                     QStringLiteral("--save"), saved, QStringLiteral("--save-diverged")}));
        QCOMPARE(forced.exitCode, 1);
        QVERIFY(QFileInfo::exists(saved + QStringLiteral("/cfg.json")));
    }

    // Training checkpoints (`sae --resume DIR`): a FIFO, a JSON bomb and a tensor header claiming a terabyte are each
    // one line and exit 2, in bounded time and memory.
    void hostileCheckpoints()
    {
        const QStringList run = args({"sae", "--variant", "topk", "--steps", "20", "--batch", "64", "--d-sae", "64",
                                      "--eval", "256"});
        const QString dir = m_files.path(QStringLiteral("checkpoints"));
        const MeasuredRun written =
            MeasuredRun::run(run + QStringList{QStringLiteral("--checkpoint-every"), QStringLiteral("10"),
                                               QStringLiteral("--checkpoint-dir"), dir});
        QVERIFY2(written.exitCode == 0, written.err.constData());
        const QString step = dir + QStringLiteral("/step_10");
        QVERIFY(QFile::exists(step + QStringLiteral("/trainer_state.json")));
        // A terabyte-sized parameter tensor claimed by a short file.
        const QByteArray header = "{\"parameters\":{\"dtype\":\"F32\",\"shape\":[250000000000],"
                                  "\"data_offsets\":[0,1000000000000]}}";
        QByteArray bomb(8, '\0');
        for (int i = 0; i < 8; ++i)
            bomb[i] = char((quint64(header.size()) >> (8 * i)) & 0xff);
        bomb += header;
        QFile tensors(step + QStringLiteral("/trainer_state.safetensors"));
        QVERIFY(tensors.open(QIODevice::WriteOnly | QIODevice::Truncate));
        tensors.write(bomb);
        tensors.close();
        expectRefusal(MeasuredRun::run(run + QStringList{QStringLiteral("--resume"), step}),
                      step + QStringLiteral("/trainer_state.safetensors"));
        // Deeply nested JSON in the state file.
        QFile state(step + QStringLiteral("/trainer_state.json"));
        QVERIFY(state.open(QIODevice::WriteOnly | QIODevice::Truncate));
        state.write("{\"format\": " + QByteArray(100000, '[') + QByteArray(100000, ']') + "}");
        state.close();
        expectRefusal(MeasuredRun::run(run + QStringList{QStringLiteral("--resume"), step}),
                      QStringLiteral("nested more than 64 levels deep"));
        // A named pipe where the state file should be.
        QFile::remove(step + QStringLiteral("/trainer_state.json"));
        fifo(QStringLiteral("checkpoints/step_10/trainer_state.json"));
        expectRefusal(MeasuredRun::run(run + QStringList{QStringLiteral("--resume"), step}, 30000),
                      QStringLiteral("is a named pipe (FIFO), not a regular file"), kSmallPeakMegabytes, 20.0);
    }

    // Item 6: an export that cannot be written exits 2 with one line and leaves no partial file.
    void exportsThatCannotBeWritten_data()
    {
        QTest::addColumn<QString>("suffix");
        QTest::newRow("png") << "png";
        QTest::newRow("pdf") << "pdf";
        QTest::newRow("svg") << "svg";
    }
    void exportsThatCannotBeWritten()
    {
        QFETCH(QString, suffix);
        // The target is a folder: the final rename fails.
        const QString folder = m_files.path(QStringLiteral("folder.") + suffix);
        QDir().mkpath(folder);
        expectRefusal(MeasuredRun::run(args({"render", "--panel", "energy", "--out"}, {folder}), 120000, quietEnvironment()),
                      folder + QStringLiteral(": cannot write the file ("));
        // A full disk.
        TinyFilesystem disk(m_files.path(QStringLiteral("disk_") + suffix));
        if (!disk.isMounted())
            QSKIP("cannot mount a tmpfs here (needs root): the full-disk case is not run");
        {
            QFile filler(disk.filePath(QStringLiteral("filler")));
            QVERIFY(filler.open(QIODevice::WriteOnly));
            const QByteArray block(4096, 'f');
            while (filler.write(block) == block.size() && filler.flush()) {
            }
        }
        const QString target = disk.filePath(QStringLiteral("figure.") + suffix);
        expectRefusal(MeasuredRun::run(args({"render", "--panel", "energy", "--out"}, {target}), 120000, quietEnvironment()),
                      target + QStringLiteral(": cannot write the file (No space left on device)"));
        QCOMPARE(QDir(m_files.path(QStringLiteral("disk_") + suffix)).entryList(QDir::Files), QStringList{QStringLiteral("filler")});
    }

    // Items 6 and 8: saves replace a symlink's target (keeping the link) and clear left-overs of a killed save.
    void savesKeepLinksAndCleanUp()
    {
        const QString real = m_files.path(QStringLiteral("saves/real.safetensors"));
        QDir().mkpath(m_files.path(QStringLiteral("saves")));
        m_files.write(QStringLiteral("saves/real.safetensors"), "old");
        m_files.write(QStringLiteral("saves/real.safetensors.tmp-k1ll3d"), "partial write of a killed save");
        const QString link = m_files.path(QStringLiteral("saves/link.safetensors"));
        QVERIFY(QFile::link(QStringLiteral("real.safetensors"), link));
        const MeasuredRun r = MeasuredRun::run(args({"tms", "--steps", "20", "--save"}, {link}));
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(QFileInfo(link).isSymLink());
        QVERIFY(QFileInfo(real).size() > 100);
        QCOMPARE(QDir(m_files.path(QStringLiteral("saves"))).entryList({QStringLiteral("*.tmp-*")}, QDir::Files),
                 QStringList());
    }
};

QTEST_GUILESS_MAIN(TestHostileInputs)
#include "tst_hostile_inputs.moc"
