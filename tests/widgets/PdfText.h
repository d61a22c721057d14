#pragma once

#include <QByteArray>
#include <QList>
#include <QRegularExpression>
#include <QTransform>
#include <QtEndian>

#include <cmath>

// The sizes, in points on the page, of the text a PDF draws: every FlateDecode content stream is inflated and its
// operators followed (q/Q, cm, BT, Tf, Tm), so a size is the Tf size scaled by the text and graphics matrices. Enough
// for the PDFs Qt's QPdfWriter makes; tests use it to check what a reader of the page would see.
class PdfText {
public:
    static QList<double> fontSizes(const QByteArray& pdf)
    {
        QList<double> sizes;
        for (const QByteArray& stream : streams(pdf))
            collect(stream, sizes);
        return sizes;
    }

private:
    static QList<QByteArray> streams(const QByteArray& pdf)
    {
        QList<QByteArray> out;
        qsizetype at = 0;
        while ((at = pdf.indexOf("stream", at)) >= 0) {
            qsizetype begin = at + 6;
            if (begin < pdf.size() && pdf[begin] == '\r')
                ++begin;
            if (begin < pdf.size() && pdf[begin] == '\n')
                ++begin;
            const qsizetype end = pdf.indexOf("endstream", begin);
            if (end < 0)
                break;
            const qsizetype dict = pdf.lastIndexOf("<<", at);
            const bool deflated = dict >= 0 && pdf.mid(dict, at - dict).contains("FlateDecode");
            QByteArray data = pdf.mid(begin, end - begin);
            if (deflated) {
                QByteArray prefixed(4, '\0');
                qToBigEndian<quint32>(quint32(data.size() * 8), prefixed.data()); // a hint: qUncompress grows it
                data = qUncompress(prefixed + data);
            }
            out.append(data);
            at = end + 9;
        }
        return out;
    }

    static void collect(const QByteArray& content, QList<double>& sizes)
    {
        QList<double> operands;
        QList<QTransform> saved;
        QTransform ctm, tm;
        double tf = 0.0;
        const QList<QByteArray> tokens = content.simplified().split(' ');
        for (const QByteArray& token : tokens) {
            bool number = false;
            const double value = token.toDouble(&number);
            if (number) {
                operands.append(value);
                continue;
            }
            auto matrix = [&] {
                const qsizetype n = operands.size();
                return n >= 6 ? QTransform(operands[n - 6], operands[n - 5], operands[n - 4], operands[n - 3],
                                           operands[n - 2], operands[n - 1])
                              : QTransform();
            };
            if (token == "q") {
                saved.append(ctm);
            } else if (token == "Q") {
                if (!saved.isEmpty())
                    ctm = saved.takeLast();
            } else if (token == "cm") {
                ctm = matrix() * ctm;
            } else if (token == "BT") {
                tm = QTransform();
            } else if (token == "Tf" && !operands.isEmpty()) {
                tf = operands.last();
            } else if (token == "Tm") {
                tm = matrix();
            } else if ((token == "Tj" || token == "TJ" || token.endsWith("Tj")) && tf > 0.0) {
                const QTransform m = tm * ctm;
                sizes.append(tf * std::sqrt(std::abs(m.determinant())));
            }
            if (!number && !token.startsWith('/') && !token.startsWith('(') && !token.startsWith('<') &&
                !token.startsWith('['))
                operands.clear();
        }
    }
};
