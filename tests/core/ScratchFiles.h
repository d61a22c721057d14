#pragma once

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>

// A throwaway directory for the files a test puts on disk (good inputs, truncated or corrupt bytes for a reader to
// reject); it is removed with the test object, so runs do not see each other's files.
class ScratchFiles {
public:
    bool isValid() const { return m_dir.isValid(); }

    // The directory itself, or `name` inside it; the file need not exist (tests also use paths of missing files).
    QString path(const QString& name = {}) const { return name.isEmpty() ? m_dir.path() : m_dir.filePath(name); }

    // Writes `bytes` to `name`, creating parent folders, and returns the path. Fatal on failure: without the file
    // the test would check the wrong error.
    QString write(const QString& name, const QByteArray& bytes) const
    {
        const QString file = path(name);
        QDir().mkpath(QFileInfo(file).path());
        QFile out(file);
        if (!out.open(QIODevice::WriteOnly | QIODevice::Truncate))
            qFatal("cannot write %s", qPrintable(file));
        out.write(bytes);
        return file;
    }

private:
    QTemporaryDir m_dir;
};
