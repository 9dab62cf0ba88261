# One image for the bot and the workers; compose picks the command. The CUDA variant of
# onnxruntime-node is selected at install time with ONNXRUNTIME_NODE_INSTALL (see README).
FROM node:20-bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ffmpeg fonts-dejavu-core ca-certificates \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ARG ONNXRUNTIME_NODE_INSTALL=skip
ENV ONNXRUNTIME_NODE_INSTALL=${ONNXRUNTIME_NODE_INSTALL}
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run models:toy
ENV NODE_ENV=production DATA_DIR=/data
CMD ["npm", "start"]
