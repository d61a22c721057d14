#include "app/CliRun.h"
#include "core/ScratchFiles.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

// `featurescope sae --sae DIR --activations FILE`, `sae --activations FILE --save DIR` and `tms --save FILE`
// through the real binary (FEATURESCOPE_BINARY, set by CTest): good files work, every bad file gives exit status 2
// and one line on stderr naming the file and the problem.
class TestCliImport : public QObject {
    Q_OBJECT

private:
    ScratchFiles m_files;
    const QString m_golden = QStringLiteral(FEATURESCOPE_TEST_DATA_DIR "/golden/");

    static QByteArray safetensors(const QByteArray& json, const QByteArray& data = {})
    {
        QByteArray out(8, '\0');
        for (int k = 0; k < 8; ++k)
            out[k] = char((quint64(json.size()) >> (8 * k)) & 0xFF);
        return out + json + data;
    }

    static QByteArray npy(const QByteArray& dict, const QByteArray& data)
    {
        QByteArray header = dict + QByteArray(64 - (10 + dict.size() + 1) % 64, ' ') + '\n';
        return QByteArray("\x93NUMPY\x01\x00", 8) + char(header.size() & 0xFF) + char(header.size() >> 8) + header + data;
    }

    // A copy of a golden SAE folder with one file replaced.
    QString badSae(const QString& name, const QString& file, const QByteArray& bytes)
    {
        const QString dir = m_files.path(name);
        QDir().mkpath(dir);
        for (const QString& f : QDir(m_golden + QStringLiteral("saelens/standard_v6")).entryList(QDir::Files))
            QFile::copy(m_golden + QStringLiteral("saelens/standard_v6/") + f, dir + QLatin1Char('/') + f);
        QFile::remove(dir + QLatin1Char('/') + file);
        m_files.write(name + QLatin1Char('/') + file, bytes);
        return dir;
    }

    static QJsonObject json(const CliRun& r) { return QJsonDocument::fromJson(r.out).object(); }

private Q_SLOTS:
    void initTestCase()
    {
        if (qEnvironmentVariable("FEATURESCOPE_BINARY").isEmpty())
            QSKIP("FEATURESCOPE_BINARY is not set (run through ctest)");
        QVERIFY(m_files.isValid());
    }

    void evaluatesGoldenSae_data()
    {
        QTest::addColumn<QString>("sae");
        QTest::addColumn<QString>("evaluator");
        QTest::newRow("standard v6") << "standard_v6" << "SaeEvaluator";
        QTest::newRow("topk v6") << "topk_v6" << "SaeEvaluator";
        QTest::newRow("jumprelu v6") << "jumprelu_v6" << "ImportedSaeEvaluator";
        QTest::newRow("topk pre-6") << "topk_pre6" << "ImportedSaeEvaluator";
    }

    void evaluatesGoldenSae()
    {
        QFETCH(QString, sae);
        QFETCH(QString, evaluator);
        const QString codes = m_files.path(QStringLiteral("codes_%1.npy").arg(sae));
        const CliRun r = CliRun::run({QStringLiteral("sae"), QStringLiteral("--sae"), m_golden + QStringLiteral("saelens/") + sae,
                                      QStringLiteral("--activations"), m_golden + QStringLiteral("saelens/inputs.npy"),
                                      QStringLiteral("--codes"), codes, QStringLiteral("--json")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject j = json(r);
        for (const char* key : {"l0", "mse", "explained_variance", "dead_fraction", "dense_fraction",
                                "density_log10_histogram", "evaluation_inputs", "d_in", "d_sae", "architecture"})
            QVERIFY2(j.contains(QLatin1String(key)), key);
        QCOMPARE(j.value(QStringLiteral("evaluator")).toString(), evaluator);
        QCOMPARE(j.value(QStringLiteral("evaluation_inputs")).toInt(), 5);
        // L0 equals the count of non-zero codes the Python script computed.
        QFile file(m_golden + QStringLiteral("expected.json"));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QJsonArray expected = QJsonDocument::fromJson(file.readAll())
                                        .object()
                                        .value(QStringLiteral("saelens/") + sae)
                                        .toObject()
                                        .value(QStringLiteral("codes"))
                                        .toArray();
        int active = 0;
        for (const auto& row : expected)
            for (const auto& v : row.toArray())
                active += v.toDouble() > 0.0;
        QCOMPARE(j.value(QStringLiteral("l0")).toDouble(), active / 5.0);
        QVERIFY(QFile::exists(codes));
        QCOMPARE(QFile(codes).size(), qint64(128 + 5 * 6 * 4));
    }

    void badFiles_data()
    {
        QTest::addColumn<QString>("sae");
        QTest::addColumn<QString>("activations");
        QTest::addColumn<QString>("message");
        const QString goodSae = m_golden + QStringLiteral("saelens/standard_v6");
        const QString goodActs = m_golden + QStringLiteral("saelens/inputs.npy");
        const QByteArray f32x2 = R"("dtype":"F32","shape":[5,4],"data_offsets":[0,80]})";
        QTest::newRow("truncated npy") << goodSae << m_files.write(QStringLiteral("truncated.npy"),
            npy("{'descr': '<f4', 'fortran_order': False, 'shape': (5, 4), }", QByteArray(70, '\0')))
                                       << "truncated.npy: truncated .npy file";
        QTest::newRow("negative shape npy") << goodSae << m_files.write(QStringLiteral("negative.npy"),
            npy("{'descr': '<f4', 'fortran_order': False, 'shape': (5, -4), }", {}))
                                            << "negative.npy: bad .npy header: negative dimension";
        QTest::newRow("wrong dtype npy") << goodSae << m_files.write(QStringLiteral("complex.npy"),
            npy("{'descr': '<c16', 'fortran_order': False, 'shape': (5, 4), }", QByteArray(320, '\0')))
                                         << "complex.npy: unsupported dtype '<c16'";
        QTest::newRow("oversized safetensors header") << goodSae << m_files.write(QStringLiteral("oversized.safetensors"),
            QByteArray("\x00\x00\x00\x40\x00\x00\x00\x00{}", 10))
                                                      << "oversized.safetensors: not a safetensors file or corrupt: the header length";
        QTest::newRow("overlapping safetensors") << goodSae << m_files.write(QStringLiteral("overlap.safetensors"),
            safetensors(R"({"a":{)" + f32x2 + R"(,"b":{"dtype":"F32","shape":[5,4],"data_offsets":[40,120]}})", QByteArray(120, '\0')))
                                                 << "overlap.safetensors: tensors 'a' and 'b' overlap";
        QTest::newRow("wrong dtype safetensors") << goodSae << m_files.write(QStringLiteral("f8.safetensors"),
            safetensors(R"({"a":{"dtype":"F8_E5M2","shape":[5,4],"data_offsets":[0,20]}})", QByteArray(20, '\0')))
                                                 << "f8.safetensors: tensor 'a' has unsupported dtype 'F8_E5M2'";
        QTest::newRow("non-UTF-8 safetensors") << goodSae << m_files.write(QStringLiteral("latin1.safetensors"),
            safetensors("{\"caf\xe9\":{" + f32x2 + "}", QByteArray(80, '\0')))
                                               << "latin1.safetensors: the safetensors header is not valid UTF-8";
        QTest::newRow("not an array file") << goodSae << m_files.write(QStringLiteral("notes.txt"), "just text\n")
                                           << "notes.txt: not a .npy, .npz or .safetensors file";
        QTest::newRow("broken zip") << goodSae << m_files.write(QStringLiteral("broken.npz"), QByteArray("PK\x03\x04garbage", 11))
                                    << "broken.npz: not a valid .npz (zip) archive";
        QTest::newRow("missing activations") << goodSae << m_files.path(QStringLiteral("none.npy"))
                                             << "none.npy: file not found";
        QTest::newRow("dimension mismatch") << goodSae << m_files.write(QStringLiteral("d3.npy"),
            npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", QByteArray(24, '\0')))
                                            << "d3.npy: the activations have d = 3 but the SAE";
        QTest::newRow("truncated weights") << badSae(QStringLiteral("sae_truncated"), QStringLiteral("sae_weights.safetensors"),
                                                     QByteArray("\x40\0\0\0\0\0\0\0{\"W_enc\"", 16))
                                           << goodActs << "sae_weights.safetensors: truncated safetensors file";
        QTest::newRow("non-UTF-8 cfg") << badSae(QStringLiteral("sae_latin1"), QStringLiteral("cfg.json"),
                                                 "{\"d_in\": 4, \"d_sae\": 6, \"model_name\": \"caf\xe9\"}")
                                       << goodActs << "cfg.json: not valid UTF-8";
        QTest::newRow("negative d_sae") << badSae(QStringLiteral("sae_negative"), QStringLiteral("cfg.json"),
                                                  "{\"d_in\": 4, \"d_sae\": -6}")
                                        << goodActs << "cfg.json: d_sae = -6 is out of range";
        QTest::newRow("missing sae folder") << m_files.path(QStringLiteral("nowhere")) << goodActs << "nowhere: folder not found";
    }

    void badFiles()
    {
        QFETCH(QString, sae);
        QFETCH(QString, activations);
        QFETCH(QString, message);
        const CliRun r = CliRun::run({QStringLiteral("sae"), QStringLiteral("--sae"), sae, QStringLiteral("--activations"),
                                      activations, QStringLiteral("--json")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.out.isEmpty());
        const QString err = QString::fromUtf8(r.err);
        QVERIFY2(err.endsWith(QLatin1Char('\n')) && err.count(QLatin1Char('\n')) == 1, qPrintable(err));
        QVERIFY2(err.startsWith(QStringLiteral("featurescope sae: ")), qPrintable(err));
        QVERIFY2(err.contains(message), qPrintable(err));
    }

    void ambiguousArrays()
    {
        const CliRun r = CliRun::run({QStringLiteral("sae"), QStringLiteral("--activations"),
                                      m_golden + QStringLiteral("activations.safetensors"), QStringLiteral("--json")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("(acts [6, 4] f16, other [2, 3] f32): choose one with --array NAME"), r.err.constData());
    }

    void trainSaveAndReload()
    {
        const QString dir = m_files.path(QStringLiteral("trained_sae"));
        const QString acts = m_golden + QStringLiteral("activations.safetensors");
        const CliRun train = CliRun::run({QStringLiteral("sae"), QStringLiteral("--activations"), acts, QStringLiteral("--array"),
                                          QStringLiteral("acts"), QStringLiteral("--labels"), QStringLiteral("labels"),
                                          QStringLiteral("--steps"), QStringLiteral("50"), QStringLiteral("--d-sae"),
                                          QStringLiteral("8"), QStringLiteral("--variant"), QStringLiteral("topk"),
                                          QStringLiteral("--k"), QStringLiteral("2"), QStringLiteral("--save"), dir,
                                          QStringLiteral("--json")});
        QVERIFY2(train.exitCode == 0, train.err.constData());
        const QJsonObject t = json(train);
        QCOMPARE(t.value(QStringLiteral("source")).toString(), QStringLiteral("file"));
        QCOMPARE(t.value(QStringLiteral("d_in")).toInt(), 4);
        QVERIFY(QFile::exists(dir + QStringLiteral("/cfg.json")));
        QVERIFY(QFile::exists(dir + QStringLiteral("/sae_weights.safetensors")));
        QVERIFY(QFile::exists(dir + QStringLiteral("/sparsity.safetensors")));
        const CliRun eval = CliRun::run({QStringLiteral("sae"), QStringLiteral("--sae"), dir, QStringLiteral("--activations"), acts,
                                         QStringLiteral("--array"), QStringLiteral("acts"), QStringLiteral("--labels"),
                                         QStringLiteral("labels"), QStringLiteral("--json")});
        QVERIFY2(eval.exitCode == 0, eval.err.constData());
        const QJsonObject e = json(eval);
        QCOMPARE(e.value(QStringLiteral("architecture")).toString(), QStringLiteral("topk"));
        QCOMPARE(e.value(QStringLiteral("k")).toInt(), 2);
        // The same SAE on the same inputs: the same metrics as right after training.
        QVERIFY(std::abs(e.value(QStringLiteral("mse")).toDouble() - t.value(QStringLiteral("mse")).toDouble()) <
                1e-5 * (1.0 + t.value(QStringLiteral("mse")).toDouble()));
        QCOMPARE(e.value(QStringLiteral("l0")).toDouble(), t.value(QStringLiteral("l0")).toDouble());
    }

    void tmsSave()
    {
        const QString path = m_files.path(QStringLiteral("tms.safetensors"));
        const CliRun r = CliRun::run({QStringLiteral("tms"), QStringLiteral("--steps"), QStringLiteral("100"),
                                      QStringLiteral("--save"), path, QStringLiteral("--json")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray bytes = file.readAll();
        quint64 n = 0;
        for (int k = 7; k >= 0; --k)
            n = (n << 8) | quint8(bytes[k]);
        const QJsonObject header = QJsonDocument::fromJson(bytes.mid(8, qsizetype(n))).object();
        QCOMPARE(header.value(QStringLiteral("W")).toObject().value(QStringLiteral("shape")).toArray(),
                 (QJsonArray{1, 2, 5}));
        QCOMPARE(header.value(QStringLiteral("b")).toObject().value(QStringLiteral("dtype")).toString(), QStringLiteral("F32"));
        const QJsonObject meta = header.value(QStringLiteral("__metadata__")).toObject();
        QCOMPARE(meta.value(QStringLiteral("format")).toString(), QStringLiteral("featurescope.tms/1"));
        QVERIFY(QJsonDocument::fromJson(meta.value(QStringLiteral("config")).toString().toUtf8()).object().contains(
            QStringLiteral("feature_probability")));

        const CliRun bad = CliRun::run({QStringLiteral("tms"), QStringLiteral("--steps"), QStringLiteral("10"),
                                        QStringLiteral("--save"), m_files.path(QStringLiteral("no/such/dir/x.safetensors"))});
        QCOMPARE(bad.exitCode, 2);
        QVERIFY2(bad.err.contains("cannot write the file"), bad.err.constData());
    }
};

QTEST_GUILESS_MAIN(TestCliImport)
#include "tst_cli_import.moc"
