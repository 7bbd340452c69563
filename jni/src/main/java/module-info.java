/** The thin JNI layer under dmazone's Java API; its library travels inside this jar. */
module io.dmazone.jni {
    exports io.dmazone.jni;
}
