#include "common/InputError.h"
#include "io/MappedFile.h"
#include "io/NpyFile.h"
#include "sae/ActivationImport.h"

#include "core/GoldenData.h"
#include "core/ScratchFiles.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

using namespace featurescope;

namespace {

QByteArray npy(const QByteArray& dict, const QByteArray& data, int version = 1)
{
    QByteArray header = dict;
    const int preamble = version == 1 ? 10 : 12;
    header += QByteArray(64 - (preamble + header.size() + 1) % 64, ' ') + '\n';
    QByteArray out = QByteArray("\x93NUMPY", 6) + char(version) + char(0);
    const quint32 n = quint32(header.size());
    out += char(n & 0xFF);
    out += char((n >> 8) & 0xFF);
    if (version > 1) {
        out += char((n >> 16) & 0xFF);
        out += char((n >> 24) & 0xFF);
    }
    return out + header + data;
}

} // namespace

class TestNpy : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_files.isValid()); }

    void roundTrip_data()
    {
        QTest::addColumn<int>("dtype");
        QTest::addColumn<bool>("fortran");
        for (DType t : {DType::F32, DType::F16, DType::F64, DType::I32, DType::I64, DType::U8, DType::I8, DType::I16,
                        DType::U16, DType::U32, DType::U64, DType::Bool, DType::BF16})
            for (bool fortran : {false, true})
                QTest::newRow((dtypeShortName(t) + (fortran ? " fortran" : "")).c_str()) << int(t) << fortran;
    }

    void roundTrip()
    {
        QFETCH(int, dtype);
        QFETCH(bool, fortran);
        const DType type = DType(dtype);
        const std::vector<float> values = {0, 1, -2, 0.5f, 3.25f, 100, -7, 0.125f, 9, -0.5f, 2, 64};
        ArrayData original = ArrayData::fromFloats({3, 4}, values.data(), type);
        if (fortran) // same bytes, read as column-major [4, 3]
            original = ArrayData(type, {4, 3}, std::vector<std::uint8_t>(original.data(), original.data() + original.byteSize()), true);
        const QString path = m_files.path(QStringLiteral("rt.npy"));
        NpyFile::write(path.toStdString(), original);
        NpyReadOptions options;
        options.u2IsBf16 = type == DType::BF16;
        const ArrayData back = NpyFile::read(path.toStdString(), options);
        QVERIFY(back.identical(original));
        QCOMPARE(back.toFloatVector(), original.toFloatVector());
        // NumPy's layout: the data starts at a multiple of 64 bytes.
        QFile raw(path);
        QVERIFY(raw.open(QIODevice::ReadOnly));
        const QByteArray bytes = raw.readAll();
        QCOMPARE((bytes.size() - qsizetype(original.byteSize())) % 64, qsizetype(0));
        const std::string again = NpyFile::serialize(back);
        QCOMPARE(QByteArray(again.data(), qsizetype(again.size())), bytes);
        if (type == DType::BF16) // bf16 is '<u2' on disk and reads as u16 by default
            QCOMPARE(NpyFile::read(path.toStdString()).dtype(), DType::U16);
    }

    // The exact bytes NumPy 1.24 writes for np.save(f, np.arange(6, dtype='<f4').reshape(2, 3)).
    void numpyBytes()
    {
        const std::vector<float> v = {0, 1, 2, 3, 4, 5};
        const std::string image = NpyFile::serialize(ArrayData::fromFloats({2, 3}, v.data()));
        QCOMPARE(image.size(), std::size_t(128 + 24));
        QCOMPARE(QByteArray(image.data() + 10, 59), QByteArray("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"));
        QCOMPARE(image[127], '\n');
    }

    void golden_data()
    {
        QTest::addColumn<QString>("name");
        for (const char* name : {"f4.npy", "f2.npy", "f8.npy", "i4.npy", "i8.npy", "u1.npy", "bf16_as_u2.npy",
                                 "fortran_f4.npy", "v2_f4.npy", "v3_f4.npy", "scalar_f8.npy"})
            QTest::newRow(name) << QString::fromLatin1(name);
    }

    void golden()
    {
        QFETCH(QString, name);
        const QJsonObject e = expectedJson().value(name).toObject();
        NpyReadOptions options;
        options.u2IsBf16 = name.startsWith(QStringLiteral("bf16"));
        const ArrayData a = NpyFile::read((QStringLiteral(FEATURESCOPE_TEST_DATA_DIR "/golden/") + name).toStdString(), options);
        ArrayData::Shape shape;
        for (const auto& d : e.value(QStringLiteral("shape")).toArray())
            shape.push_back(std::uint64_t(d.toInteger()));
        QCOMPARE(a.shape(), shape);
        QCOMPARE(a.fortranOrder(), e.value(QStringLiteral("fortran_order")).toBool());
        const QJsonArray want = e.value(QStringLiteral("values")).toArray();
        const std::vector<double> values = a.toDoubleVector();
        QCOMPARE(values.size(), std::size_t(want.size()));
        for (int i = 0; i < want.size(); ++i)
            QCOMPARE(values[std::size_t(i)], want[i].toDouble());
    }

    void largeFilesAreMapped()
    {
        std::vector<float> v(std::size_t(1) << 20);
        for (std::size_t i = 0; i < v.size(); ++i)
            v[i] = float(i % 1000);
        const QString path = m_files.path(QStringLiteral("large.npy"));
        NpyFile::write(path.toStdString(), ArrayData::fromFloats({v.size() / 64, 64}, v.data()));
        const auto file = MappedFile::open(path.toStdString());
        QVERIFY(file->isMapped());
        const ArrayData a = NpyFile::parse(file);
        QCOMPARE(a.toFloatVector(), v);
        QVERIFY(!MappedFile::open(m_files.path(QStringLiteral("rt.npy")).toStdString())->isMapped());
    }

    void rejects_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("message");
        const QByteArray ok = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", QByteArray(24, 'x'));
        QTest::newRow("empty") << QByteArray() << "not a .npy file";
        QTest::newRow("short preamble (fuzz)") << QByteArray("\x93NUMPY\xfa\xffv", 9) << "shorter than its preamble";
        QTest::newRow("bad magic") << QByteArray("PK\x03\x04 something else") << "no \\x93NUMPY magic string";
        QTest::newRow("bad version") << QByteArray("\x93NUMPY\x04\x00\x10\x00{}", 12) << "unsupported .npy format version 4.0";
        QTest::newRow("truncated header") << ok.left(40) << "truncated .npy file: the header needs";
        QTest::newRow("truncated data") << ok.left(ok.size() - 1) << "needs 24 data bytes, only 23 present";
        QTest::newRow("trailing data") << ok + "zz" << "2 bytes after the data its header declares";
        QTest::newRow("oversized header") << QByteArray("\x93NUMPY\x02\x00\xff\xff\xff\x7f{", 13) << "exceeds the 1 MiB limit";
        QTest::newRow("negative shape") << npy("{'descr': '<f4', 'fortran_order': False, 'shape': (-2, 3), }", {}) << "negative dimension";
        QTest::newRow("shape overflow") << npy("{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296, 8), }", {})
                                        << "overflows";
        QTest::newRow("huge dimension") << npy("{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999,), }", {})
                                        << "too large";
        QTest::newRow("big-endian") << npy("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", QByteArray(8, 'x'))
                                    << "big-endian data is not supported";
        QTest::newRow("object array") << npy("{'descr': '|O', 'fortran_order': False, 'shape': (2,), }", {}) << "pickle";
        QTest::newRow("complex") << npy("{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }", {}) << "unsupported dtype '<c8'";
        QTest::newRow("structured") << npy("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", {})
                                    << "structured arrays";
        QTest::newRow("non-ASCII header") << npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), '\xff': 1}", {})
                                          << "non-ASCII byte (0xFF)";
        QTest::newRow("missing shape") << npy("{'descr': '<f4', 'fortran_order': False, }", {}) << "has no 'shape'";
        QTest::newRow("repeated key") << npy("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (), }", {})
                                      << "repeats 'descr'";
        QTest::newRow("unknown key") << npy("{'descr': '<f4', 'fortran_order': False, 'shape': (), 'x': 1, }", {})
                                     << "unexpected header key 'x'";
        QTest::newRow("not a dict") << npy("['descr']", {}) << "not a Python dict";
        QTest::newRow("bad bool") << npy("{'descr': '<f4', 'fortran_order': 0, 'shape': (), }", {}) << "True or False";
        QTest::newRow("junk after dict") << npy("{'descr': '<f4', 'fortran_order': False, 'shape': (), } x", {})
                                         << "unexpected text after the header dict";
    }

    void rejects()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, message);
        const QString path = m_files.write(QStringLiteral("bad.npy"), bytes);
        try {
            NpyFile::read(path.toStdString());
            QFAIL("accepted a bad file");
        } catch (const InputError& e) {
            const QString text = QString::fromUtf8(e.what());
            QVERIFY2(text.startsWith(path + QStringLiteral(": ")), qPrintable(text));
            QVERIFY2(text.contains(message), qPrintable(text));
            QVERIFY2(!text.contains(QLatin1Char('\n')), qPrintable(text));
        }
    }

    // np.array(["ab", "é😀x"]) is '<U3': three UTF-32LE code units per element, NUL-padded.
    void unicodeStrings()
    {
        auto utf32 = [](const std::u32string& text, int width) {
            QByteArray out;
            for (int i = 0; i < width; ++i) {
                const char32_t c = i < int(text.size()) ? text[std::size_t(i)] : U'\0';
                for (int b = 0; b < 4; ++b)
                    out += char((quint32(c) >> (8 * b)) & 0xFF);
            }
            return out;
        };
        const QByteArray bytes = npy("{'descr': '<U3', 'fortran_order': False, 'shape': (2,), }",
                                     utf32(U"ab", 3) + utf32(U"\u00e9\U0001F600x", 3));
        const QString path = m_files.write(QStringLiteral("strings.npy"), bytes);
        // A plain read refuses text: nothing mistakes it for numbers.
        try {
            NpyFile::read(path.toStdString());
            QFAIL("read a string array as numbers");
        } catch (const InputError& e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(QStringLiteral("unsupported dtype '<U3'")), e.what());
        }
        NpyReadOptions options;
        options.unicodeAsU32 = true;
        const ArrayData a = NpyFile::read(path.toStdString(), options);
        QCOMPARE(a.dtype(), DType::U32);
        QCOMPARE(a.shape(), (ArrayData::Shape{2, 3}));
        auto file = MappedFile::open(path.toStdString());
        QCOMPARE(NpyFile::parseHeader(file->data(), file->size(), "x", options).unicodeChars, std::uint64_t(3));
        const auto strings = ActivationImport::decodeUtf32Strings(a, "x");
        QCOMPARE(strings.size(), std::size_t(2));
        QCOMPARE(QString::fromStdString(strings[0]), QStringLiteral("ab"));
        QCOMPARE(QString::fromStdString(strings[1]), QString::fromUtf8("\xc3\xa9\xf0\x9f\x98\x80x"));
        // [2, 2] of '<U1' becomes [2, 2, 1].
        const QByteArray grid = npy("{'descr': '<U1', 'fortran_order': False, 'shape': (2, 2), }",
                                    utf32(U"a", 1) + utf32(U"b", 1) + utf32(U"c", 1) + utf32(U"d", 1));
        const ArrayData g = NpyFile::read(m_files.write(QStringLiteral("grid.npy"), grid).toStdString(), options);
        QCOMPARE(g.shape(), (ArrayData::Shape{2, 2, 1}));
        QCOMPARE(ActivationImport::decodeUtf32Strings(g, "x").back(), std::string("d"));
    }

    void unicodeRejects_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("message");
        QTest::newRow("zero width") << npy("{'descr': '<U0', 'fortran_order': False, 'shape': (2,), }", {}) << "0 characters";
        QTest::newRow("absurd width") << npy("{'descr': '<U99999999', 'fortran_order': False, 'shape': (2,), }", {})
                                      << "99999999 characters";
        QTest::newRow("big-endian") << npy("{'descr': '>U2', 'fortran_order': False, 'shape': (1,), }", QByteArray(8, 0))
                                    << "big-endian string arrays";
        QTest::newRow("fortran 2-d") << npy("{'descr': '<U1', 'fortran_order': True, 'shape': (2, 2), }", QByteArray(16, 0))
                                     << "Fortran-order string arrays";
        QTest::newRow("truncated") << npy("{'descr': '<U4', 'fortran_order': False, 'shape': (3,), }", QByteArray(47, 0))
                                   << "needs 48 data bytes, only 47 present";
        QTest::newRow("overflow") << npy("{'descr': '<U65536', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", {})
                                  << "overflows";
    }

    void unicodeRejects()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, message);
        const QString path = m_files.write(QStringLiteral("bad-strings.npy"), bytes);
        NpyReadOptions options;
        options.unicodeAsU32 = true;
        try {
            NpyFile::read(path.toStdString(), options);
            QFAIL("accepted a bad file");
        } catch (const InputError& e) {
            const QString text = QString::fromUtf8(e.what());
            QVERIFY2(text.startsWith(path + QStringLiteral(": ")), qPrintable(text));
            QVERIFY2(text.contains(message), qPrintable(text));
        }
    }

    void invalidCodePoint()
    {
        // A surrogate and a value above U+10FFFF are not Unicode: one clear error, no garbage text.
        for (quint32 bad : {0xD800u, 0x110000u}) {
            QByteArray data;
            for (int b = 0; b < 4; ++b)
                data += char((bad >> (8 * b)) & 0xFF);
            const QString path = m_files.write(QStringLiteral("cp.npy"), npy("{'descr': '<U1', 'fortran_order': False, 'shape': (1,), }", data));
            NpyReadOptions options;
            options.unicodeAsU32 = true;
            const ArrayData a = NpyFile::read(path.toStdString(), options);
            QVERIFY_THROWS_EXCEPTION(InputError, ActivationImport::decodeUtf32Strings(a, "cp"));
        }
    }

    // A NumPy-layout .npz with activations, '<U7' tokens and sequence ids (tests/data/tokens/make_tokens.py).
    void activationImportReadsTokens()
    {
        const std::string path = FEATURESCOPE_TEST_DATA_DIR "/tokens/acts_tokens.npz";
        const ImportedActivations a = ActivationImport::load(path);
        QCOMPARE(a.arrayName, std::string("acts")); // the string array is listed but never an activation candidate
        QCOMPARE(a.set.activations.cols(), Eigen::Index(6));
        QCOMPARE(a.set.activations(1, 2), 5.0f / 4.0f);
        QCOMPARE(a.tokensSource, std::string("tokens"));
        QCOMPARE(a.tokens.size(), std::size_t(6));
        QCOMPARE(QString::fromStdString(a.tokens[1]), QStringLiteral(" cat"));
        QCOMPARE(QString::fromStdString(a.tokens[3]), QStringLiteral("\n"));
        QCOMPARE(QString::fromStdString(a.tokens[5]), QString::fromUtf8(" h\xc3\xa9llo\xf0\x9f\x98\x80"));
        QCOMPARE(a.sequenceIds, (std::vector<std::int64_t>{0, 0, 0, 0, 1, 1}));
        // Naming the string array as activations is refused with one line.
        ActivationImportOptions options;
        options.arrayName = "tokens";
        try {
            ActivationImport::load(path, options);
            QFAIL("used strings as activations");
        } catch (const InputError& e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(QStringLiteral("holds strings")), e.what());
        }
        // A sidecar with the wrong number of tokens names both files.
        const QString acts = m_files.path(QStringLiteral("side.npy"));
        const std::vector<float> v(8, 1.0f);
        NpyFile::write(acts.toStdString(), ArrayData::fromFloats({4, 2}, v.data()));
        m_files.write(QStringLiteral("side.npy.tokens.json"), "[\"a\", \"b\"]");
        try {
            ActivationImport::load(acts.toStdString());
            QFAIL("accepted 2 tokens for 4 rows");
        } catch (const InputError& e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(QStringLiteral("2 token strings for 4 activation rows")), e.what());
        }
        m_files.write(QStringLiteral("side.npy.tokens.json"), "{\"tokens\": [\"a\", \"b\", \"c\", \"d\"], \"sequence_ids\": [0, 0, 1, 1]}");
        const ImportedActivations s = ActivationImport::load(acts.toStdString());
        QCOMPARE(s.tokens.back(), std::string("d"));
        QCOMPARE(s.sequenceIds, (std::vector<std::int64_t>{0, 0, 1, 1}));
        m_files.write(QStringLiteral("side.npy.tokens.json"), "[\"a\", 2, \"c\", \"d\"]");
        QVERIFY_THROWS_EXCEPTION(InputError, ActivationImport::load(acts.toStdString()));
        QFile::remove(m_files.path(QStringLiteral("side.npy.tokens.json")));
    }

    void missingFile()
    {
        QVERIFY_THROWS_EXCEPTION(InputError, NpyFile::read("/nonexistent/x.npy"));
        QVERIFY_THROWS_EXCEPTION(InputError, NpyFile::read(m_files.path().toStdString()));
    }

private:
    ScratchFiles m_files;
};

QTEST_GUILESS_MAIN(TestNpy)
#include "tst_npy.moc"
