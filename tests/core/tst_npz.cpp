#include "common/InputError.h"
#include "io/ArrayFile.h"
#include "io/NpzArchive.h"

#include "core/GoldenData.h"
#include "core/ScratchFiles.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

using namespace featurescope;

namespace {

QByteArray readFile(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", qPrintable(path));
    return f.readAll();
}

std::vector<double> toDoubles(const QJsonArray& a)
{
    std::vector<double> v;
    for (const auto& x : a)
        v.push_back(x.toDouble());
    return v;
}

} // namespace

class TestNpz : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_files.isValid()); }

    void roundTrip_data()
    {
        QTest::addColumn<bool>("compress");
        QTest::newRow("stored") << false;
        QTest::newRow("deflated") << true;
    }

    void roundTrip()
    {
        QFETCH(bool, compress);
        std::vector<float> acts(64 * 8);
        for (std::size_t i = 0; i < acts.size(); ++i)
            acts[i] = float(i % 17) * 0.25f;
        const std::vector<std::int64_t> labels = {0, 1, 2, 3, 4, 5, 6, 7};
        std::vector<NpzArchive::NamedArray> arrays;
        for (DType t : {DType::F32, DType::F16, DType::BF16, DType::F64, DType::I32, DType::I64, DType::U8})
            arrays.push_back({"acts_" + dtypeShortName(t), ArrayData::fromFloats({8, 64}, acts.data(), t)});
        arrays.push_back({"labels", ArrayData::fromInts({8}, labels.data())});
        const QString path = m_files.path(QStringLiteral("rt.npz"));
        NpzArchive::write(path.toStdString(), arrays, compress);
        const NpzArchive archive = NpzArchive::open(path.toStdString());
        QCOMPARE(archive.members().size(), arrays.size());
        for (const auto& a : arrays) {
            QVERIFY(archive.contains(a.name));
            const NpzArchive::Member& m = *std::find_if(archive.members().begin(), archive.members().end(),
                                                        [&](const auto& x) { return x.name == a.name; });
            QCOMPARE(m.deflated, compress);
            NpyReadOptions options;
            options.u2IsBf16 = a.array.dtype() == DType::BF16;
            QVERIFY(archive.array(a.name, options).identical(a.array));
            const NpyHeader header = archive.header(a.name, options);
            QCOMPARE(header.shape, a.array.shape());
            QCOMPARE(header.dtype, a.array.dtype());
        }
        // Byte-identical when written twice.
        const QString again = m_files.path(QStringLiteral("rt2.npz"));
        std::vector<NpzArchive::NamedArray> reread;
        for (const auto& a : arrays)
            reread.push_back({a.name, archive.array(a.name)});
        NpzArchive::write(again.toStdString(), reread, compress);
        const NpzArchive second = NpzArchive::open(again.toStdString());
        for (const auto& a : reread)
            QVERIFY(second.array(a.name).identical(a.array));
    }

    void golden_data()
    {
        QTest::addColumn<QString>("name");
        QTest::newRow("stored") << QStringLiteral("stored.npz");
        QTest::newRow("deflated") << QStringLiteral("deflated.npz");
    }

    void golden()
    {
        QFETCH(QString, name);
        const QJsonObject e = expectedJson().value(name).toObject();
        const std::string path = (QStringLiteral(FEATURESCOPE_TEST_DATA_DIR "/golden/") + name).toStdString();
        const NpzArchive archive = NpzArchive::open(path);
        QCOMPARE(archive.names(), (std::vector<std::string>{"acts", "labels"}));
        QCOMPARE(archive.members().front().deflated, name.startsWith(QStringLiteral("deflated")));
        const ArrayData acts = archive.array("acts");
        QCOMPARE(acts.shape(), (ArrayData::Shape{6, 4}));
        QCOMPARE(acts.toDoubleVector(), toDoubles(e.value(QStringLiteral("acts")).toObject().value(QStringLiteral("values")).toArray()));
        QCOMPARE(archive.array("labels.npy").toDoubleVector(),
                 toDoubles(e.value(QStringLiteral("labels")).toObject().value(QStringLiteral("values")).toArray()));
        // The generic reader recognises it by content and lists dtype and shape without reading the data.
        const ArrayFile file = ArrayFile::open(path);
        QCOMPARE(file.format(), ArrayFile::Format::Npz);
        QCOMPARE(file.entries().size(), std::size_t(2));
        QCOMPARE(file.entries()[0].describe(), std::string("acts [6, 4] f32"));
        QCOMPARE(file.entries()[1].describe(), std::string("labels [6] i64"));
    }

    void rejects_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("member"); // empty: the error comes from opening
        QTest::addColumn<QString>("message");
        const QByteArray stored = readFile(QStringLiteral(FEATURESCOPE_TEST_DATA_DIR "/golden/stored.npz"));
        const QByteArray deflated = readFile(QStringLiteral(FEATURESCOPE_TEST_DATA_DIR "/golden/deflated.npz"));
        QTest::newRow("empty") << QByteArray() << QString() << "not a valid .npz (zip) archive";
        QTest::newRow("not a zip") << QByteArray("PK\x03\x04 but nothing else") << QString() << "not a valid .npz (zip) archive";
        QTest::newRow("truncated") << stored.left(stored.size() / 2) << QString() << "not a valid .npz (zip) archive";
        QTest::newRow("truncated end") << stored.left(stored.size() - 4) << QString() << "not a valid .npz (zip) archive";
        // Flip a byte of the first member's data (after its 30-byte local header and name): the CRC no longer matches.
        QByteArray crc = stored;
        crc[30 + 8 + 100] = char(crc[30 + 8 + 100] ^ 0x55);
        QTest::newRow("bad CRC") << crc << QStringLiteral("acts") << "member 'acts.npy' is corrupt";
        QByteArray corruptDeflate = deflated;
        for (int i = 40; i < 60; ++i)
            corruptDeflate[i] = char(0xFF);
        QTest::newRow("corrupt deflate data") << corruptDeflate << QStringLiteral("acts") << "is corrupt";
        // A member that is not an .npy image.
        QByteArray notNpy = stored;
        notNpy[30 + 8] = 'X';
        QTest::newRow("member not npy") << notNpy << QStringLiteral("acts") << "";
        QTest::newRow("missing member") << stored << QStringLiteral("weights") << "no array 'weights' (the archive holds acts, labels)";
    }

    void rejects()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, member);
        QFETCH(QString, message);
        const QString path = m_files.write(QStringLiteral("bad.npz"), bytes);
        try {
            const NpzArchive archive = NpzArchive::open(path.toStdString());
            if (member.isEmpty())
                QFAIL("opened a bad archive");
            archive.array(member.toStdString());
            QFAIL("read a bad member");
        } catch (const InputError& e) {
            const QString text = QString::fromUtf8(e.what());
            QVERIFY2(text.startsWith(path), qPrintable(text));
            QVERIFY2(text.contains(message), qPrintable(text));
            QVERIFY2(!text.contains(QLatin1Char('\n')), qPrintable(text));
        }
    }

    void writerRejectsBadNames()
    {
        const std::vector<float> v = {1};
        const ArrayData a = ArrayData::fromFloats({1}, v.data());
        const std::string path = m_files.path(QStringLiteral("w.npz")).toStdString();
        QVERIFY_THROWS_EXCEPTION(InputError, NpzArchive::write(path, {{"x", a}, {"x", a}}));
        QVERIFY_THROWS_EXCEPTION(InputError, NpzArchive::write(path, {{"a/b", a}}));
        QVERIFY_THROWS_EXCEPTION(InputError, NpzArchive::write(path, {}));
    }

private:
    ScratchFiles m_files;
};

QTEST_GUILESS_MAIN(TestNpz)
#include "tst_npz.moc"
