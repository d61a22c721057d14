// Tokenizers: GPT-2 BPE against ids made by the reference JavaScript encoder (tests/data/lm/tokenizer.golden.json),
// the pre-tokenizer's splitting rules, bytes, and hostile vocab.json / merges.txt files.
#include "common/InputError.h"
#include "lm/BpeTokenizer.h"
#include "lm/ByteTokenizer.h"
#include "lm/Gpt2PreTokenizer.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace featurescope;

namespace {

const std::string kDir = FEATURESCOPE_TEST_DATA_DIR "/lm/";

const BpeTokenizer& gpt2()
{
    static const BpeTokenizer tokenizer =
        BpeTokenizer::load(kDir + "gpt2-tokenizer/vocab.json", kDir + "gpt2-tokenizer/merges.txt");
    return tokenizer;
}

std::vector<std::string> pieces(const std::string& text)
{
    std::vector<std::string> out;
    for (const auto& [begin, end] : Gpt2PreTokenizer::split(text))
        out.push_back(text.substr(begin, end - begin));
    return out;
}

std::string refusal(const std::string& vocab, const std::string& merges)
{
    try {
        BpeTokenizer::parse(vocab, "vocab.json", merges, "merges.txt");
    } catch (const InputError& e) {
        return e.what();
    }
    return {};
}

// A minimal valid byte-level vocabulary: the 256 byte symbols (ids 0-255) plus `extra` tokens.
std::string byteVocab(const std::string& extra = {})
{
    std::string json = "{";
    char32_t next = 256;
    for (int b = 0; b < 256; ++b) {
        const bool printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
        const char32_t c = printable ? char32_t(b) : next++;
        QString symbol = QString::fromUcs4(&c, 1);
        if (symbol == QStringLiteral("\"") || symbol == QStringLiteral("\\"))
            symbol.prepend(u'\\');
        json.append(1, '"').append(symbol.toStdString()).append("\":").append(std::to_string(b)).append(1, ',');
    }
    json += extra;
    if (json.back() == ',')
        json.pop_back();
    return json + "}";
}

} // namespace

class TestLmTokenizer : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void matchesReferenceEncoder()
    {
        QFile file(QString::fromStdString(kDir + "tokenizer.golden.json"));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QJsonArray cases = QJsonDocument::fromJson(file.readAll()).object().value(QStringLiteral("cases")).toArray();
        QVERIFY(cases.size() >= 15);
        for (const QJsonValue c : cases) {
            const std::string text = c.toObject().value(QStringLiteral("text")).toString().toStdString();
            std::vector<int> expected;
            for (const QJsonValue id : c.toObject().value(QStringLiteral("ids")).toArray())
                expected.push_back(id.toInt());
            const std::vector<int> ids = gpt2().encode(text);
            QVERIFY2(ids == expected, ("differs on: " + text).c_str());
            QCOMPARE(gpt2().decode(ids), text);
        }
        QCOMPARE(gpt2().vocabSize(), 50257);
        QCOMPARE(gpt2().bosId().value_or(-1), 50256);
        QCOMPARE(gpt2().mergeCount(), std::size_t(50000));
    }

    void preTokenizerRules()
    {
        QCOMPARE(pieces("it's"), (std::vector<std::string>{"it", "'s"}));
        QCOMPARE(pieces("a  b"), (std::vector<std::string>{"a", " ", " b"}));
        QCOMPARE(pieces("x \n y"), (std::vector<std::string>{"x", " \n", " y"}));
        QCOMPARE(pieces("end  "), (std::vector<std::string>{"end", "  "}));
        QCOMPARE(pieces("12ab!?"), (std::vector<std::string>{"12", "ab", "!?"}));
        QCOMPARE(pieces(" 'x"), (std::vector<std::string>{" '", "x"}));
        // Invalid UTF-8 still splits, and the pieces cover every byte.
        const std::string broken = "a\xff\xfe b\xe2\x82";
        std::string joined;
        for (const std::string& p : pieces(broken))
            joined += p;
        QCOMPARE(joined, broken);
        QCOMPARE(gpt2().decode(gpt2().encode(broken)), broken);
    }

    void bytes()
    {
        const ByteTokenizer t;
        const std::string text = "h\xc3\xa9\n";
        QCOMPARE(t.encode(text), (std::vector<int>{104, 195, 169, 10}));
        QCOMPARE(t.decode(t.encode(text)), text);
        QVERIFY(!t.bosId());
    }

    void refusesHostileFiles()
    {
        QVERIFY(refusal(byteVocab(), "#version: 0.2\n").empty());
        QVERIFY(refusal(byteVocab("\"ab\":256"), "#version: 0.2\na b\n").empty());
        QVERIFY(refusal("not json", "").find("not valid JSON") != std::string::npos);
        QVERIFY(refusal("[1,2]", "").find("JSON object") != std::string::npos);
        QVERIFY(refusal("{\"a\":0}", "").find("has no token") != std::string::npos);
        QVERIFY(refusal(byteVocab("\"ab\":\"x\""), "").find("not an integer") != std::string::npos);
        QVERIFY(refusal(byteVocab("\"ab\":5"), "").find("two tokens") != std::string::npos);
        QVERIFY(refusal(byteVocab("\"ab\":99999999"), "").find("not an integer in") != std::string::npos);
        QVERIFY(refusal(byteVocab(), "a b\n").find("not in vocab.json") != std::string::npos);
        QVERIFY(refusal(byteVocab(), "abc\n").find("line 1") != std::string::npos);
        QVERIFY(refusal(byteVocab(), "#version: 0.2\na  b\n").find("line 2") != std::string::npos);
        QVERIFY(refusal(std::string(65u << 20, ' '), "").find("64 MB") != std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TestLmTokenizer)
#include "tst_lm_tokenizer.moc"
