#pragma once

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>

// The values tests/data/make_golden.py computed independently in Python for the golden files, keyed by file name.
inline QJsonObject expectedJson()
{
    QFile file(QStringLiteral(FEATURESCOPE_TEST_DATA_DIR "/golden/expected.json"));
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot read expected.json");
    return QJsonDocument::fromJson(file.readAll()).object();
}
